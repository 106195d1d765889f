/** The pipeline file the CLI's Anaplan tests run: in.csv into the emulator's default file, then its import. */
import { IDS } from '../../sink-anaplan/test/support/anaplan-fixture';

/** `extra` adds lines to the sink's `with:` block (each starting with a newline and 8 spaces). */
export function anaplanLoadPipeline(urls: { apiUrl: string; authUrl: string }, extra = ''): string {
  return `version: 1
pipelines:
  load:
    source: { use: file, with: { path: ./in.csv } }
    sink:
      use: anaplan
      with:
        workspace: ${IDS.workspace}
        model: ${IDS.model}
        file: ${IDS.file}
        import: ${IDS.import}
        auth: { type: basic, username: ops@acme.com, password: "\${ANAPLAN_PASSWORD}" }
        apiUrl: ${urls.apiUrl}
        authUrl: ${urls.authUrl}
        pollIntervalMs: 20${extra}
`;
}
