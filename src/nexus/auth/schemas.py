from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, EmailStr, Field

from nexus.kit.schemas import StrictBody
from nexus.users.schemas import UserRead


class SignupRequest(StrictBody):
    company_name: str = Field(min_length=2, max_length=120)
    name: str = Field(min_length=1, max_length=120)
    email: EmailStr
    password: str = Field(min_length=8, max_length=128)


class LoginRequest(StrictBody):
    email: EmailStr
    password: str = Field(min_length=1, max_length=128)


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime
    user: UserRead
