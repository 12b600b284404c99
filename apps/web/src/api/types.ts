import type { paths } from "./schema";

/** Names the server's types by route: `Answer<"/api/conversations/{id}">`, `Body<"/api/tags", "post">`. */
type Operation<P extends keyof paths, M extends keyof paths[P]> = paths[P][M];
type Json<R> = R extends { content: { "application/json": infer J } } ? J : never;

/** What a route answers on success (200, 201 or 202), as JSON. */
export type Answer<P extends keyof paths, M extends keyof paths[P] = "get" & keyof paths[P]> =
  Operation<P, M> extends { responses: infer Rs } ? Json<Rs[Extract<keyof Rs, 200 | 201 | 202>]> : never;

/** The JSON body a route takes. */
export type Body<P extends keyof paths, M extends keyof paths[P]> =
  Operation<P, M> extends { requestBody?: infer B } ? Json<NonNullable<B>> : never;

/** The query string a route takes. */
export type Query<P extends keyof paths, M extends keyof paths[P] = "get" & keyof paths[P]> =
  Operation<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;
