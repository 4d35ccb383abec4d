import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  usersCreateUser,
  usersDeactivateUser,
  usersListUsers,
  usersSetMyStatus,
  usersUpdateUser,
  type PresenceStatus,
  type UserCreate,
  type UserRead,
  type UserUpdate,
  type UsersListUsersData,
} from '@/client';
import { useAuth } from '@/auth/store';

export type UserFilters = NonNullable<UsersListUsersData['query']>;

export const userKeys = {
  all: ['users'] as const,
  list: (filters: UserFilters) => ['users', 'list', filters] as const,
};

export function useUsers(filters: UserFilters = {}) {
  return useQuery({
    queryKey: userKeys.list(filters),
    queryFn: async ({ signal }) => (await usersListUsers({ query: filters, signal })).data,
  });
}

function useUserMutation<TVariables>(fn: (variables: TVariables) => Promise<UserRead>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (user) => {
      // The signed-in admin may have edited their own name.
      const me = useAuth.getState().user;
      if (me?.id === user.id) useAuth.getState().setUser(user);
      return queryClient.invalidateQueries({ queryKey: userKeys.all });
    },
  });
}

export function useCreateUser() {
  return useUserMutation(async (body: UserCreate) => (await usersCreateUser({ body })).data);
}

export function useUpdateUser() {
  return useUserMutation(
    async ({ id, body }: { id: string; body: UserUpdate }) =>
      (await usersUpdateUser({ path: { user_id: id }, body })).data,
  );
}

export function useDeactivateUser() {
  return useUserMutation(
    async (id: string) => (await usersDeactivateUser({ path: { user_id: id } })).data,
  );
}

/** Set my presence; the same call is the heartbeat while online or busy. */
export async function setMyPresence(status: PresenceStatus): Promise<UserRead> {
  const user = (await usersSetMyStatus({ body: { status } })).data;
  useAuth.getState().setUser(user);
  return user;
}

export function useSetMyPresence() {
  return useMutation({ mutationFn: setMyPresence });
}
