export { instagramChannel } from "./instagram";
export { messengerChannel } from "./messenger";
