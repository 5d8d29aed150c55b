/** The shape of every list answer. */
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  limit: number;
}
