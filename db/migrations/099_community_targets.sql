-- Targets a community sets for itself (目标值, issue 19.8): shares 0..1 of the settable targets
-- (core/terms.ts SETTABLE_TARGETS); an absent key takes the default. The 7135 rule itself (7 minutes,
-- 1/3/5 days) is not a target and stays in core/matters.ts.
alter table communities add column if not exists targets jsonb not null default '{}'::jsonb;
alter table communities drop constraint if exists communities_targets_object;
alter table communities add constraint communities_targets_object check (jsonb_typeof(targets) = 'object');
comment on column communities.targets is 'Own targets (responseRate, onTimeClosureRate, weeklyCoverage as 0..1); absent keys take the defaults of core/terms.ts';
