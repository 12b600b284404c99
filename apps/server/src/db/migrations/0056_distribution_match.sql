-- Distribution matching (R701): the languages an agent speaks and the contact tags they handle, a most of open
-- conversations per channel type, and per scope whether to match the conversation's language / the contact's
-- tags and what a conversation nobody matches does.
alter table agent_distribution
  -- ISO 639-1 codes, lower case (`ru` takes every region: `ru-RU`, `ru-UA`).
  add column languages text[] not null default '{}',
  -- Tags of the agent's workspace (a deleted tag's id simply never matches again).
  add column tag_ids uuid[] not null default '{}',
  -- Channel type → most open conversations of that type, e.g. {"whatsapp": 5}; besides max_open.
  add column channel_max_open jsonb not null default '{}';

alter table distribution_settings
  add column match_language boolean not null default false,
  add column match_tags boolean not null default false,
  -- A conversation no eligible agent matches: 'wait' in the queue, or go to 'any' eligible agent.
  add column unmatched text not null default 'wait' check (unmatched in ('wait', 'any'));
