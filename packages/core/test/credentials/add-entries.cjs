// A separate writer process for the concurrency tests: adds `count` entries to the store in `dir`,
// one update() each, loading the store from its TypeScript source.
const { createJiti } = require('jiti');

const [dir, writer, count] = process.argv.slice(2);
(async () => {
  const { CredentialStore } = await createJiti(__filename).import(require.resolve('../../src/credentials/credential-store.ts'));
  const store = new CredentialStore({ dir, env: {} });
  for (let i = 0; i < Number(count); i++) await store.update('svc', `${writer}-${i}`, () => ({ token: `${writer}-${i}` }));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
