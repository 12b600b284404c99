/** States of a customer's file while Parley downloads it from the channel. Top-level keys here must not clash with another file's. */
export const enMedia = {
  inboundMedia: {
    downloading: "Downloading from the channel…",
    failed: "Could not be downloaded: {{reason}}",
  },
};
