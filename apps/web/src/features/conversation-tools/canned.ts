import { useQuery } from "@tanstack/react-query";
import { get } from "../../api/client";
import type { Answer } from "../../api/types";

type CannedAnswer = Answer<"/api/canned-replies">;
export type CannedReply = CannedAnswer["cannedReplies"][number];

export const useCannedReplies = () =>
  useQuery({
    queryKey: ["canned"],
    queryFn: () => get<CannedAnswer>("/api/canned-replies").then((r) => r.cannedReplies),
    staleTime: 60_000,
  });

/** The first 50 canned replies matching a query: shortcuts that start with it first, then any other match. */
export function filterCanned(list: CannedReply[], q: string) {
  const needle = q.trim().toLowerCase();
  if (!needle) return list.slice(0, 50);
  const starts = list.filter((c) => c.shortcut.toLowerCase().startsWith(needle));
  const rest = list.filter(
    (c) =>
      !starts.includes(c) &&
      (c.shortcut.toLowerCase().includes(needle) ||
        c.title.toLowerCase().includes(needle) ||
        c.text.toLowerCase().includes(needle)),
  );
  return [...starts, ...rest].slice(0, 50);
}
