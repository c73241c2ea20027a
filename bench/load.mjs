// One autocannon run, in its own process (pinned to the load core by run.mjs): prints the result
// as JSON on stdout. Arguments come as one JSON object in argv[2].
import autocannon from 'autocannon';

const options = JSON.parse(process.argv[2]);
const result = await autocannon({
  ...options,
  renderProgressBar: false,
  renderResultsTable: false,
});
process.stdout.write(
  JSON.stringify({
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  }),
);
