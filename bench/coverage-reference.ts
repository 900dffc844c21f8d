/**
 * A plain-SQL reference of the coverage rule, built from the raw track points of the window on every
 * call (nothing kept from ingest): the yardstick `bench/coverage.bench.ts` times the product against,
 * and what tests/track-pieces.test.ts checks the product's visited sets against.
 *
 * The rule: a device's plausible points (track_points.flag IS NULL) in [from, to), in time order;
 * two consecutive ones are joined when at most 120 s and 200 m (UTM) apart; a building is visited
 * when a joined segment or a point passes within `radius` metres of its footprint.
 *
 * How: one pass in primary-key order (window functions for the neighbours, running sums with ROWS
 * frames for runs and chunks of 16 segments, one ordered aggregate per chunk) into a temporary table
 * with a GiST index, then one probe per building into it (UTM footprints projected in the query).
 */
import type { Queryable } from '../server/db/connect.ts'

/** Ids of the buildings of a community a track passed within `radius` metres of in [from, to). */
export async function referenceVisitedBuildings(tx: Queryable, communityId: number, from: string, to: string, radius: number): Promise<number[]> {
  await tx`drop table if exists sg_reference_pieces`
  await tx`
    create temp table sg_reference_pieces as
    with srid as (
      select utm_srid from communities where id = ${communityId}
    ), pts as (
      select u.device_id, u.t, ST_X(u.g) as x, ST_Y(u.g) as y
      from (select tp.device_id, tp.t, ST_Transform(tp.geom, (select utm_srid from srid)) as g
            from track_points tp
            where tp.community_id = ${communityId} and tp.t >= ${from}::timestamptz and tp.t < ${to}::timestamptz and tp.flag is null
            order by tp.device_id, tp.t
            offset 0) u
    ), nb as (
      select p.*, lag(p.t) over w as pt, lag(p.x) over w as px, lag(p.y) over w as py,
             lead(p.t) over w as nt, lead(p.x) over w as nx, lead(p.y) over w as ny
      from pts p
      window w as (partition by p.device_id order by p.t)
    ), joined as (
      select nb.*,
             coalesce(extract(epoch from nb.t - nb.pt) <= 120 and sqrt((nb.x - nb.px) ^ 2 + (nb.y - nb.py) ^ 2) <= 200, false) as jp,
             coalesce(extract(epoch from nb.nt - nb.t) <= 120 and sqrt((nb.nx - nb.x) ^ 2 + (nb.ny - nb.y) ^ 2) <= 200, false) as jn
      from nb
    ), numbered as (
      select j.*,
             sum(case when j.jp then 0 else 1 end) over w as run,
             sum(case when j.jp then 1 else 0 end) over w as k
      from joined j
      window w as (partition by j.device_id order by j.t rows unbounded preceding)
    )
    select ST_SetSRID(ST_MakeLine(array_prepend(
             ST_MakePoint((array_agg(n.px order by n.t))[1], (array_agg(n.py order by n.t))[1]),
             array_agg(ST_MakePoint(n.x, n.y) order by n.t))), (select utm_srid from srid)) as g
    from numbered n
    where n.jp
    group by n.device_id, n.run, (n.k - 1) / 16
    union all
    select ST_SetSRID(ST_MakePoint(n.x, n.y), (select utm_srid from srid))
    from numbered n
    where not n.jp and not n.jn`
  await tx`create index on sg_reference_pieces using gist (g)`
  await tx`analyze sg_reference_pieces`
  const rows = await tx<{ id: number }[]>`
    select b.id
    from (select b0.id, ST_Transform(b0.footprint, c.utm_srid) as g
          from buildings b0 join communities c on c.id = b0.community_id
          where b0.community_id = ${communityId}) b
    where exists (select 1 from sg_reference_pieces p where ST_DWithin(p.g, b.g, ${radius}))
    order by b.id`
  await tx`drop table sg_reference_pieces`
  return rows.map((r) => r.id)
}
