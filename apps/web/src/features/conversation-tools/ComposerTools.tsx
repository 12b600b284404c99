// The composer's tools, each in its own file: canned replies, emoji, attachments, the quote and the block notice.
export { AttachmentChips } from "./AttachmentChips";
export { BlockedNotice } from "./BlockedNotice";
export { CannedList, CannedPicker } from "./CannedPicker";
export { type CannedReply, filterCanned, useCannedReplies } from "./canned";
export { EmojiButton } from "./EmojiButton";
export { QuoteChip } from "./QuoteChip";
export { type PendingFile, useAttachments } from "./useAttachments";
export { useBlockContact } from "./useBlockContact";
