import type { FastifyRequest } from "fastify";
import type { AppContext } from "../../context";
import { mustHold } from "../../domain/permissions";
import { type App, actorOf, requestSource } from "../../http/types";
import { deleteRule, reorderRules } from "./commands/delete-rule";
import { createRule, updateRule } from "./commands/save-rule";
import { dryRun } from "./queries/dry-run";
import { listRules, ruleRuns } from "./queries/rules";
import {
  DryRunAnswer,
  DryRunBody,
  IdParams,
  OrderBody,
  RuleAnswer,
  RuleBody,
  RulesAnswer,
  RunsAnswer,
} from "./schema";

const tags = ["rules"];

/** Whoever edits rules holds `automation.manage`. */
const managerOf = (req: FastifyRequest) => {
  const actor = actorOf(req);
  mustHold(actor, "automation.manage");
  return actor;
};

/** Automation rules: the ordered list, the editor's save, delete and reorder, the dry run and each run log. */
export async function ruleRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/rules",
    {
      schema: {
        tags,
        summary: "The workspace's rules in the order they run (automation.manage)",
        response: { 200: RulesAnswer },
      },
    },
    async (req) => ({ rules: await listRules(ctx.db, managerOf(req).workspaceId) }),
  );

  app.post(
    "/api/rules",
    {
      schema: {
        tags,
        summary: "Add a rule at the end of the order (automation.manage)",
        body: RuleBody,
        response: { 201: RuleAnswer },
      },
    },
    async (req, reply) =>
      reply.code(201).send({ rule: await createRule(ctx, managerOf(req), req.body, requestSource(req)) }),
  );

  app.put(
    "/api/rules/order",
    {
      schema: {
        tags,
        summary: "Put the rules in a new order: every rule's id once (automation.manage)",
        body: OrderBody,
        response: { 200: RulesAnswer },
      },
    },
    async (req) => ({ rules: await reorderRules(ctx, managerOf(req), req.body.ids, requestSource(req)) }),
  );

  app.put(
    "/api/rules/:id",
    {
      schema: {
        tags,
        summary: "Replace a rule's name, trigger, conditions and actions (automation.manage)",
        params: IdParams,
        body: RuleBody,
        response: { 200: RuleAnswer },
      },
    },
    async (req) => ({
      rule: await updateRule(ctx, managerOf(req), req.params.id, req.body, requestSource(req)),
    }),
  );

  app.delete(
    "/api/rules/:id",
    { schema: { tags, summary: "Delete a rule and its run log (automation.manage)", params: IdParams } },
    async (req, reply) => {
      await deleteRule(ctx, managerOf(req), req.params.id, requestSource(req));
      return reply.code(204).send();
    },
  );

  app.post(
    "/api/rules/dry-run",
    {
      schema: {
        tags,
        summary:
          "Which of the 200 most recently active conversations these conditions match now; nothing is changed (automation.manage, conversations.view_all)",
        body: DryRunBody,
        response: { 200: DryRunAnswer },
      },
    },
    async (req) => {
      const actor = managerOf(req);
      mustHold(actor, "conversations.view_all");
      return dryRun(ctx.db, actor.workspaceId, ctx.clock.now(), req.body.conditions);
    },
  );

  app.get(
    "/api/rules/:id/runs",
    {
      schema: {
        tags,
        summary:
          "A rule's run log, newest first: matched, skipped (own action, loop stopped) or failed (automation.manage)",
        params: IdParams,
        response: { 200: RunsAnswer },
      },
    },
    async (req) => ({ runs: await ruleRuns(ctx.db, managerOf(req).workspaceId, req.params.id) }),
  );
}
