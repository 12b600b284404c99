import type { enSmsNotify } from "../en/sms-notify";

export const ukSmsNotify: typeof enSmsNotify = {
  smsNotify: {
    column: "SMS",
    title: "Телефон для SMS-сповіщень",
    unavailable:
      "Для SMS-сповіщень потрібне SMS-підключення в цьому робочому просторі; його ще немає, тож стовпець SMS вимкнено. Адміністратор може додати його в розділі «Канали».",
    none: "Номера ще немає: додайте його та підтвердьте кодом з SMS, потім позначте стовпець SMS.",
    verified: "SMS-сповіщення надходять на {{phone}}.",
    phone: "Ваш номер телефону",
    change: "Інший номер",
    phoneHint: "У міжнародному форматі: + і код країни",
    sendCode: "Надіслати код",
    codeSent: "Код надіслано в SMS",
    code: "Код, надісланий на {{phone}}",
    verify: "Підтвердити",
    done: "Номер підтверджено",
    remove: "Видалити",
    removed: "Номер видалено",
  },
};
