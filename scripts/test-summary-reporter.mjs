// A node:test reporter that prints nothing while tests run and, at the end, one readable summary: counts, then every
// failing test with its file, location and error message (the spec reporter above it keeps the full detail).
export default async function* summary(source) {
  const failures = [];
  let passed = 0;
  let skipped = 0;
  for await (const event of source) {
    if (event.type === "test:pass") {
      // suites and files report too: count leaf tests only
      if (event.data.details?.type !== "suite") {
        if (event.data.skip || event.data.todo) skipped++;
        else passed++;
      }
    } else if (event.type === "test:fail") {
      const err = event.data.details?.error;
      const cause = err?.cause ?? err;
      // a file whose subtests failed also fails: keep only the tests themselves (and files that failed to load)
      if (event.data.details?.type === "suite" || err?.failureType === "subtestsFailed") continue;
      failures.push(describeFailure(event.data, cause));
    }
  }
  const lines = ["", "=".repeat(72), `tests: ${passed} passed, ${failures.length} failed, ${skipped} skipped`];
  if (failures.length > 0) lines.push("", "failed:", ...failures);
  lines.push("=".repeat(72), "");
  yield lines.join("\n");
}

/** "- name / file:line of the failing assertion / the first lines of its message". */
function describeFailure(data, cause) {
  const file = data.file ?? "";
  // the stack frame inside the test file points at the failing line; else the file alone
  const frame = file
    ? String(cause?.stack ?? "")
        .split("\n")
        .find((l) => l.includes(file))
    : undefined;
  const where = frame ? frame.trim().replace(/^at .*?\(?(\/[^)]*)\)?$/, "$1") : file;
  const message = String(cause?.message ?? cause ?? "failed")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .slice(0, 6)
    .join("\n      ");
  return `  - ${data.name}\n      ${where}\n      ${message}`;
}
