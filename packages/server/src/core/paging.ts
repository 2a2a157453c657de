/** One page of a list, as every list route answers it. */
export interface Page<T> {
  data: T[];
  pagination: { page: number; limit: number; total: number; totalPages: number };
}

export function page<T>(data: T[], pageNo: number, limit: number, total: number): Page<T> {
  return { data, pagination: { page: pageNo, limit, total, totalPages: Math.ceil(total / limit) } };
}
