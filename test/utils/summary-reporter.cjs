const { relative } = require('node:path');

const SKIPPED = new Set(['pending', 'todo', 'skipped', 'disabled']);

// Prints the plain closing line CI reads ("Tests: N passed, N failed, N skipped"); jest's own differs.
// Then each skipped test, with its describe blocks: a skip states its reason in its title (or its block's).
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const lines = [
      '',
      ...(process.env.CRM_TEST_ENGINE ? [`Integration tests ran on ${process.env.CRM_TEST_ENGINE}.`] : []),
      `Tests: ${results.numPassedTests} passed, ${failed} failed, ${results.numPendingTests + results.numTodoTests} skipped`,
    ];
    const skipped = results.testResults.flatMap((file) =>
      file.testResults
        .filter((test) => SKIPPED.has(test.status))
        .map(
          (test) =>
            `  ${relative(process.cwd(), file.testFilePath)}: ${[...test.ancestorTitles, test.title].join(' › ')}`,
        ),
    );
    if (skipped.length > 0) lines.push('Skipped:', ...skipped);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}
module.exports = SummaryReporter;
