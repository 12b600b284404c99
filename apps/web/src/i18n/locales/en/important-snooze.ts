/** Important (starred) conversations and snoozing: views, toggles, the snooze menu, feed lines, bulk and rule actions. */
export const enImportantSnooze = {
  importantSnooze: {
    views: { important: "Important", snoozed: "Snoozed" },
    empty: {
      important: "No important conversations",
      importantHint: "Star a conversation to keep it here for the whole team.",
      snoozed: "Nothing is snoozed",
      snoozedHint:
        "A snoozed conversation waits here and comes back at its time, or as soon as the customer writes.",
    },
    star: "Mark important",
    unstar: "Remove the important mark",
    starredBadge: "Important",
    snooze: {
      button: "Snooze",
      menuTitle: "Snooze until",
      hour: "In 1 hour",
      tomorrow: "Tomorrow morning",
      nextWeek: "Next week",
      pick: "Choose a date and time…",
      pickTitle: "Snooze until",
      pickLabel: "Date and time",
      confirm: "Snooze",
      unsnooze: "Unsnooze",
      until: "Snoozed until {{time}}",
      done: "Snoozed until {{time}}",
      hoursHint: "Tomorrow and next week follow the business hours when they are set.",
    },
    events: {
      marked_important: "{{by}} marked the conversation important",
      unmarked_important: "{{by}} removed the important mark",
      snoozed: "{{by}} snoozed the conversation until {{time}}",
      woke: "The snooze ended: the conversation is back",
      wokeByCustomer: "The customer wrote: the snooze ended",
      unsnoozed: "{{by}} ended the snooze",
    },
    bulk: {
      markImportant: "Mark important",
      unmarkImportant: "Not important",
      snooze: "Snooze",
    },
    rule: {
      until: "Snooze",
      for: "For a time",
      next_opening: "Until business hours open next",
      amount: "How long",
      unit: "Unit",
      minutes: "minutes",
      hours: "hours",
    },
  },
};
