/** States of a customer's file while Parley downloads it from the channel. Top-level keys here must not clash with another file's. */
export const ukMedia = {
  inboundMedia: {
    downloading: "Завантажується з каналу…",
    failed: "Не вдалося завантажити: {{reason}}",
  },
};
