import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './index.css';
import './i18n';
import { configureApiClient } from './api/http';
import { App } from './App';
import { bootstrapSession } from './auth/session';
import { pruneDrafts } from './stores/drafts';

configureApiClient();
pruneDrafts();
// Resume the session from the refresh cookie while React renders the splash.
void bootstrapSession();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
