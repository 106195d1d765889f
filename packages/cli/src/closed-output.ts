/**
 * stdout and stderr can close under a running `pipe`: `pipe run nightly.yml 2>&1 | head -1`, a
 * terminal or ssh session gone, a cron mailer that died. Node reports that as an 'error' event
 * (EPIPE) on the stream, which nothing handles, so it becomes an uncaught exception; a run reports
 * those by logging them, to the closed stream again, and spins on that forever. Lines written
 * there are lost either way, so errors on those streams are dropped and the work goes on: the run
 * still writes its log file and run record, and exits with its own status.
 */
export function outliveClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
}
