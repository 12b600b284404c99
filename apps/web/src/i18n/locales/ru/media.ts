/** States of a customer's file while Parley downloads it from the channel. Top-level keys here must not clash with another file's. */
export const ruMedia = {
  inboundMedia: {
    downloading: "Загружается из канала…",
    failed: "Не удалось загрузить: {{reason}}",
  },
};
