/** Comments under the business's Facebook and Instagram posts (R451). Top-level keys here must not clash with another file's. */
export const enComments = {
  comments: {
    filter: {
      label: "Kind",
      any: "Any",
      comment: "Comments and mentions",
      direct: "Direct messages",
    },
    kind: "Comment",
    post: {
      title: "Comments on a post",
      open: "Open the post",
      loading: "Loading the post…",
      failed: "The post could not be loaded: {{reason}}",
      picture: "The post's picture",
    },
    reply: {
      label: "How to reply",
      public: "Public reply",
      private: "Private reply",
      publicHint: "Goes under the comment: everyone who sees the post can read it.",
      privateHint:
        "Goes to the commenter's inbox as a message, once per comment and within 7 days of it. Their answer arrives as a direct message.",
      privateUntil: "Possible until {{time}}.",
      refused: "Cannot be sent: {{reason}}",
    },
    badge: {
      public: "Public reply",
      private: "Private reply",
      hidden: "Hidden",
      removed: "Deleted by the customer",
      deleted: "Deleted",
      edited: "Edited",
      editedBefore: "Before: {{text}}",
    },
    menu: {
      hide: "Hide comment",
      unhide: "Unhide comment",
      delete: "Delete comment",
      hidden: "The comment is hidden",
      shown: "The comment is shown again",
      deleted: "The comment was deleted",
    },
  },
};
