// Prints the plain closing line CI reads ("Tests: N passed, N failed, N skipped"); jest's own differs.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    if (process.env.CRM_TEST_ENGINE) process.stdout.write(`\nIntegration tests ran on ${process.env.CRM_TEST_ENGINE}.`);
    process.stdout.write(
      `\nTests: ${results.numPassedTests} passed, ${failed} failed, ${results.numPendingTests + results.numTodoTests} skipped\n`,
    );
  }
}
module.exports = SummaryReporter;
