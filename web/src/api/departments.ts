import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  departmentsCreateDepartment,
  departmentsDeleteDepartment,
  departmentsListDepartments,
  departmentsUpdateDepartment,
  type DepartmentCreate,
  type DepartmentRead,
  type DepartmentUpdate,
} from '@/client';

export const departmentKeys = {
  all: ['departments'] as const,
  list: (filters: { is_active?: boolean }) => ['departments', 'list', filters] as const,
};

export function useDepartments(filters: { is_active?: boolean } = {}) {
  return useQuery({
    queryKey: departmentKeys.list(filters),
    queryFn: async ({ signal }) =>
      (await departmentsListDepartments({ query: filters, signal })).data,
    staleTime: 5 * 60_000,
  });
}

/** Department names by id, for labels in lists. */
export function useDepartmentIndex(): Map<string, DepartmentRead> {
  const { data } = useDepartments();
  return new Map((data ?? []).map((department) => [department.id, department]));
}

function useDepartmentMutation<TVariables, TResult>(fn: (variables: TVariables) => Promise<TResult>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: departmentKeys.all }),
  });
}

export function useCreateDepartment() {
  return useDepartmentMutation(
    async (body: DepartmentCreate) => (await departmentsCreateDepartment({ body })).data,
  );
}

export function useUpdateDepartment() {
  return useDepartmentMutation(
    async ({ id, body }: { id: string; body: DepartmentUpdate }) =>
      (await departmentsUpdateDepartment({ path: { department_id: id }, body })).data,
  );
}

export function useDeleteDepartment() {
  return useDepartmentMutation(async (id: string) => {
    await departmentsDeleteDepartment({ path: { department_id: id } });
  });
}
