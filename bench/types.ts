/** One figure a benchmark prints as `name value unit`. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}
