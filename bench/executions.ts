/** Where benchmark orchestrations record each execution that ran, for the benchmark to count. */
export const EXECUTIONS_TABLE = 'BenchExecutions';
