/** Instagram mentions of the account on others' posts, kept as comment conversations (R451). Top-level keys here must not clash with another file's. */
export const enIgMentions = {
  igMentions: {
    post: {
      title: "Mentioned on someone else's post",
    },
    badge: {
      comment: "Mention in a comment",
      caption: "Mention in a post's caption",
    },
    failed: "Instagram would not show this mention: {{reason}}",
    reply: {
      publicHint: {
        comment:
          "Goes under the comment that mentions you, as your account's comment: everyone who sees the post can read it.",
        caption:
          "Goes under the post that mentions you, as your account's comment: everyone who sees the post can read it.",
      },
      private: {
        comment:
          "A private reply is not possible to a mention: Instagram sends private replies only to comments on your own posts. Reply publicly.",
        caption:
          "A private reply is not possible to a caption mention: Instagram sends private replies only to comments. Reply publicly.",
      },
    },
  },
};
