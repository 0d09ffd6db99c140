// Lighthouse on the console's sign-in page and portfolio list, in Debian's Chromium: a user flow,
// so that the list is audited signed in (the key lives in the tab's sessionStorage).
// Usage: node bench/lighthouse.mjs BASE USERNAME PASSWORD; prints one JSON object. bench/console.py runs it.
import { createRequire } from "node:module";

const require = createRequire(new URL("../tests/js/package.json", import.meta.url));
const { startFlow } = await import(require.resolve("lighthouse"));
const puppeteer = (await import(require.resolve("puppeteer-core"))).default;

const [base, username, password] = process.argv.slice(2);
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage();
  const config = { extends: "lighthouse:default", settings: { onlyCategories: ["performance", "accessibility", "best-practices"] } };
  const flow = await startFlow(page, { config, flags: { disableStorageReset: true } });
  await flow.navigate(`${base}/console/`, { name: "sign-in" });
  await page.locator("input[name=username]").fill(username);
  await page.locator("input[name=password]").fill(password);
  await page.locator("button[type=submit]").click();
  await page.waitForSelector("table.list tbody tr");
  await page.goto("about:blank"); // a full load of the list next, not a same-document hash change
  await flow.navigate(`${base}/console/#/portfolios`, { name: "portfolios" });
  await page.waitForSelector("table.list tbody tr");

  const pages = (await flow.createFlowResult()).steps.map(({ name, lhr }) => {
    if (!lhr.audits["network-requests"].details) throw new Error(`${name}: ${JSON.stringify(lhr.runtimeError ?? lhr.audits["network-requests"])}`);
    const requests = lhr.audits["network-requests"].details.items;
    const bytes = (types) => requests.filter((r) => types.includes(r.resourceType)).reduce((sum, r) => sum + r.transferSize, 0);
    return {
      name,
      scores: Object.fromEntries(Object.entries(lhr.categories).map(([id, c]) => [id, Math.round(c.score * 100)])),
      script_and_style_bytes: bytes(["Script", "Stylesheet"]),
      total_bytes: requests.reduce((sum, r) => sum + r.transferSize, 0),
      requests: requests.length,
      failed: Object.values(lhr.audits).filter((a) => a.score === 0 && a.scoreDisplayMode === "binary").map((a) => a.id),
    };
  });
  console.log(JSON.stringify({ lighthouse: (await import(require.resolve("lighthouse/package.json"), { with: { type: "json" } })).default.version, pages }));
} finally {
  await browser.close();
}
