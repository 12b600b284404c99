/** The sum of a Prometheus text's samples of `name` whose labels include `labels` (0 when there are none). */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

/** Scrapes `base`/metrics with the bearer token and sums `name`'s samples matching `labels`. */
export async function scrapeMetric(
  base: string,
  token: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const r = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  if (r.status !== 200) throw new Error(`/metrics answered ${r.status}`);
  return metricValue(await r.text(), name, labels);
}
