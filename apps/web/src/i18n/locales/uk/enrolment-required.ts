/** The page a person sees while their role requires two-factor sign-in they have not set up (R802). */
export const ukEnrolmentRequired = {
  enrolmentRequired: {
    title: "Налаштуйте двофакторний вхід, щоб продовжити",
    hint: "Тепер ваш робочий простір вимагає двофакторний вхід для вашої ролі. Доки ви його не налаштуєте, решта Parley для вас закрита.",
    continue: "Перейти до Parley",
  },
};
