/** Runs a CLI command in this process and returns its exit code and what it wrote on stdout (stderr is swallowed). */
export async function captureStdout(f: () => Promise<number>): Promise<{ code: number; out: string }> {
  let out = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const code = await f();
    return { code, out };
  } finally {
    spy.mockRestore();
    err.mockRestore();
  }
}
