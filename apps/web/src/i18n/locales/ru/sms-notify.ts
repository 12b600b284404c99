import type { enSmsNotify } from "../en/sms-notify";

export const ruSmsNotify: typeof enSmsNotify = {
  smsNotify: {
    column: "SMS",
    title: "Телефон для SMS-уведомлений",
    unavailable:
      "Для SMS-уведомлений нужно SMS-подключение в этом рабочем пространстве; его пока нет, поэтому столбец SMS выключен. Администратор может добавить его в разделе «Каналы».",
    none: "Номера пока нет: добавьте его и подтвердите кодом из SMS, затем отметьте столбец SMS.",
    verified: "SMS-уведомления приходят на {{phone}}.",
    phone: "Ваш номер телефона",
    change: "Другой номер",
    phoneHint: "В международном формате: + и код страны",
    sendCode: "Отправить код",
    codeSent: "Код отправлен по SMS",
    code: "Код, отправленный на {{phone}}",
    verify: "Подтвердить",
    done: "Номер подтверждён",
    remove: "Удалить",
    removed: "Номер удалён",
  },
};
