/** The page a person sees while their role requires two-factor sign-in they have not set up (R802). */
export const enEnrolmentRequired = {
  enrolmentRequired: {
    title: "Set up two-factor sign-in to continue",
    hint: "Your workspace now requires two-factor sign-in for your role. Until you set it up, the rest of Parley is closed to you.",
    continue: "Continue to Parley",
  },
};
