/** The account emails in the person's language. */
const TEXT = {
  en: {
    resetSubject: "Reset your Parley password",
    reset: (name: string, url: string) =>
      `Hello ${name},\n\nSomeone (hopefully you) asked to reset the password of your Parley account. Choose a new password here:\n\n${url}\n\nThe link works once and expires in one hour. If you did not ask, ignore this email: your password stays as it is.`,
    confirmSubject: "Confirm your new email address for Parley",
    confirm: (name: string, url: string) =>
      `Hello ${name},\n\nConfirm that this is the new email address of your Parley account:\n\n${url}\n\nThe link works once and expires in 24 hours. Until then your account keeps its old address.`,
    changedSubject: "The email address of your Parley account was changed",
    changed: (name: string, to: string) =>
      `Hello ${name},\n\nThe email address of your Parley account was changed to ${to}. This address no longer signs in.\n\nIf you did not do this, tell your workspace's admin at once.`,
  },
  ru: {
    resetSubject: "Сброс пароля Parley",
    reset: (name: string, url: string) =>
      `Здравствуйте, ${name}!\n\nКто-то (надеемся, вы) попросил сбросить пароль вашего аккаунта Parley. Задайте новый пароль здесь:\n\n${url}\n\nСсылка одноразовая и действует один час. Если вы не просили, просто не обращайте внимания на это письмо: пароль останется прежним.`,
    confirmSubject: "Подтвердите новый адрес почты в Parley",
    confirm: (name: string, url: string) =>
      `Здравствуйте, ${name}!\n\nПодтвердите, что это новый адрес почты вашего аккаунта Parley:\n\n${url}\n\nСсылка одноразовая и действует 24 часа. До подтверждения у аккаунта остаётся прежний адрес.`,
    changedSubject: "Адрес почты вашего аккаунта Parley изменён",
    changed: (name: string, to: string) =>
      `Здравствуйте, ${name}!\n\nАдрес почты вашего аккаунта Parley изменён на ${to}. С этим адресом войти больше нельзя.\n\nЕсли это сделали не вы, сразу сообщите администратору рабочего пространства.`,
  },
  uk: {
    resetSubject: "Скидання пароля Parley",
    reset: (name: string, url: string) =>
      `Вітаємо, ${name}!\n\nХтось (сподіваємося, ви) попросив скинути пароль вашого акаунта Parley. Задайте новий пароль тут:\n\n${url}\n\nПосилання одноразове й діє одну годину. Якщо ви не просили, не зважайте на цей лист: пароль залишиться тим самим.`,
    confirmSubject: "Підтвердьте нову адресу пошти в Parley",
    confirm: (name: string, url: string) =>
      `Вітаємо, ${name}!\n\nПідтвердьте, що це нова адреса пошти вашого акаунта Parley:\n\n${url}\n\nПосилання одноразове й діє 24 години. До підтвердження акаунт має попередню адресу.`,
    changedSubject: "Адресу пошти вашого акаунта Parley змінено",
    changed: (name: string, to: string) =>
      `Вітаємо, ${name}!\n\nАдресу пошти вашого акаунта Parley змінено на ${to}. З цією адресою увійти більше не можна.\n\nЯкщо це зробили не ви, одразу повідомте адміністратора робочого простору.`,
  },
};

export const accountMailText = (locale: string) => TEXT[locale.slice(0, 2) as keyof typeof TEXT] ?? TEXT.en;
