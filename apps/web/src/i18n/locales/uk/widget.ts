/** The website chat widget settings. Top-level keys here must not clash with another file's. */
export const ukWidget = {};
