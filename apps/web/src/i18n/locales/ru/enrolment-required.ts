/** The page a person sees while their role requires two-factor sign-in they have not set up (R802). */
export const ruEnrolmentRequired = {
  enrolmentRequired: {
    title: "Настройте двухфакторный вход, чтобы продолжить",
    hint: "Теперь ваше рабочее пространство требует двухфакторный вход для вашей роли. Пока вы его не настроите, остальная часть Parley вам недоступна.",
    continue: "Перейти в Parley",
  },
};
