import { api } from "./api";
import { attachBtn, banner, composer, fileInput, input } from "./dom";
import { queue } from "./outbox";
import { frame } from "./send";
import { state } from "./state";

let lastTyping = 0;
let idle: ReturnType<typeof setTimeout> | null = null;

/** "Typing" goes to the agents at most every 2.5 s, and "stopped" after 4 s without a key. */
function onInput() {
  const now = Date.now();
  if (now - lastTyping > 2500) {
    lastTyping = now;
    frame({ type: "typing", on: true });
  }
  if (idle) clearTimeout(idle);
  idle = setTimeout(() => {
    lastTyping = 0;
    frame({ type: "typing", on: false });
  }, 4000);
}

function onSubmit(e: SubmitEvent) {
  e.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  if (idle) clearTimeout(idle);
  lastTyping = 0;
  frame({ type: "typing", on: false });
  queue(text.slice(0, state.settings?.textMaxChars ?? 10_000), [], []);
}

const readBase64 = (file: File) =>
  new Promise<string>((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).split(",")[1] ?? "");
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });

/** A picked file is checked against the size limit, uploaded, then sent as a message of its own. */
async function onFile() {
  const file = fileInput.files?.[0];
  fileInput.value = "";
  const { settings, t } = state;
  if (!file || !settings) return;
  if (file.size > settings.maxFileBytes) {
    banner.textContent = t.fileTooLarge.replace("{mb}", String(Math.floor(settings.maxFileBytes / 1048576)));
    return;
  }
  const data = await readBase64(file);
  const res = await api<{ fileId: string; error?: { message: string } }>("POST", "/api/widget/uploads", {
    name: file.name,
    mimeType: file.type || "application/octet-stream",
    data,
  });
  if (res.status !== 201) {
    banner.textContent = res.body?.error?.message ?? state.t.error;
    return;
  }
  queue(null, [res.body.fileId], [file.name]);
}

/** The composer's events: typing, Enter to send, and attaching a file. */
export function wireComposer() {
  input.addEventListener("input", onInput);
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      composer.requestSubmit();
    }
  });
  composer.addEventListener("submit", onSubmit);
  attachBtn.addEventListener("click", () => fileInput.click());
  fileInput.addEventListener("change", onFile);
}
