/**
 * Chinese names and texts for the demo community: people, compounds, key places, hazard descriptions.
 */
import type { Random } from './random.ts'

const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏付方邹熊秦江尹雷龙陶黎贺顾毛郝龚邵万严'
// Common given-name characters; two-character given names are more common than one.
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰文辉建国红梅志鹏飞宇浩然俊峰晨雪琳婷慧欣怡子轩佳琪雨涵嘉诚家豪丹凤春燕海波德荣永福长青'

/** A generator of distinct plausible Chinese personal names. */
export class NameMaker {
  private readonly used = new Set<string>()

  constructor(private readonly rng: Random) {}

  /** A name not returned before. */
  next(): string {
    for (;;) {
      const surname = this.rng.pick([...SURNAMES])
      const chars = [...GIVEN]
      const given = this.rng.chance(0.72) ? this.rng.pick(chars) + this.rng.pick(chars) : this.rng.pick(chars)
      const name = surname + given
      if (given.length === 2 && given[0] === given[1] && !this.rng.chance(0.2)) continue
      if (this.used.has(name)) continue
      this.used.add(name)
      return name
    }
  }
}

/** A generator of distinct mobile numbers (11 digits, mainland prefixes). */
export class PhoneMaker {
  private readonly used = new Set<string>()

  constructor(private readonly rng: Random) {}

  /** A phone number not returned before. */
  next(): string {
    const prefixes = ['138', '139', '137', '136', '135', '158', '159', '186', '187', '188', '133', '153', '177', '189']
    for (;;) {
      let phone = this.rng.pick(prefixes)
      for (let i = 0; i < 8; i++) phone += String(this.rng.int(0, 9))
      if (this.used.has(phone)) continue
      this.used.add(phone)
      return phone
    }
  }
}

/** Names for residential compounds, in the order compounds are numbered (north-west first). */
export const COMPOUND_NAMES = [
  '光谷花园',
  '关山春晓',
  '鲁巷小区',
  '珞瑜华庭',
  '关东花园',
  '东湖景园',
  '桂园新村',
  '雄楚佳苑',
  '虎泉小区',
  '卓刀泉小区',
  '庙山佳园',
  '南湖雅苑',
  '金谷家园',
  '光谷坐标城',
  '书城路小区',
  '民族大道小区',
] as const

/** Shop names placed around commercial buildings. */
export const SHOP_NAMES = ['便利店', '餐馆', '药店', '水果店', '理发店', '快递驿站', '烟酒店', '奶茶店', '五金店', '超市'] as const

const DESCRIPTIONS: Record<string, string[]> = {
  flying_wire_charging: [
    '{place}{floor}楼窗口垂下电线为楼下电动车飞线充电',
    '{place}楼前有居民从家中私拉电线给电动车充电',
    '{place}一楼住户用插线板从窗户拉线充电，电线横穿人行道',
  ],
  ebike_indoor: [
    '{place}{unit}单元有电动车推入电梯上楼',
    '{place}{unit}单元{floor}楼楼道内停放电动车并充电',
    '{place}住户将电动车电池带回家中充电',
  ],
  fire_lane_blocked: [
    '{place}旁消防通道被私家车占用',
    '{place}附近消防通道堆放建筑垃圾，消防车无法通行',
    '{place}消防通道设置地锁和隔离桩',
  ],
  corridor_clutter: [
    '{place}{unit}单元楼道堆放纸箱杂物，影响疏散',
    '{place}{unit}单元{floor}楼楼梯间堆放旧家具',
    '{place}楼道内堆放易燃杂物',
  ],
  facility_aging: [
    '{place}{unit}单元消防栓箱内水带缺失、压力不足',
    '{place}楼道灭火器过期未更换',
    '{place}外墙电线老化裸露',
    '{place}单元门禁损坏无法关闭',
  ],
  poor_lighting: ['{place}附近路灯不亮，夜间照明不足', '{place}{unit}单元楼道感应灯损坏', '{place}旁小路没有照明，存在安全隐患'],
  falling_object_risk: [
    '{place}{floor}楼阳台花盆放置在护栏外侧',
    '{place}外墙瓷砖空鼓脱落，下方为人行通道',
    '{place}{floor}楼空调外机支架锈蚀松动',
  ],
  other: ['{place}附近有不明人员夜间逗留', '{place}井盖破损缺失', '{place}围墙破损可随意进出'],
}

/** Descriptions of the other kinds of matters (矛盾纠纷, 治安线索, 突发事件, 居民诉求, 社情民意), by `type:category`. */
const MATTER_DESCRIPTIONS: Record<string, string[]> = {
  'dispute:neighbours': ['{place}{unit}单元上下楼邻里因漏水发生纠纷', '{place}邻居因楼道堆物发生口角'],
  'dispute:family': ['{place}住户家庭矛盾，老人反映子女不赡养', '{place}{floor}楼夫妻争吵，邻居报告需调解'],
  'dispute:noise': ['{place}{floor}楼夜间装修噪音扰民', '{place}楼下商铺音响声音过大，居民投诉'],
  'dispute:property': ['{place}业主与物业因停车费发生争执', '{place}住户对物业维修不及时有意见'],
  'dispute:other': ['{place}居民因公共区域使用发生矛盾'],
  'lead:suspicious_person': ['{place}附近有陌生人多次尾随进入单元门', '{place}夜间有不明人员逐户敲门推销'],
  'lead:suspicious_vehicle': ['{place}旁一辆无牌车辆连续多日停放', '{place}附近可疑车辆深夜徘徊'],
  'lead:fraud': ['{place}有老人反映接到冒充客服的诈骗电话', '{place}楼道张贴可疑高息理财广告'],
  'lead:other': ['{place}附近发现可疑物品'],
  'emergency:fire': ['{place}{floor}楼厨房冒烟，住户已自行扑灭'],
  'emergency:medical': ['{place}独居老人在家摔倒，需要帮助'],
  'emergency:flood': ['{place}地下车库进水'],
  'emergency:gas_leak': ['{place}{unit}单元楼道有燃气异味'],
  'emergency:traffic': ['{place}门口电动车与行人相撞'],
  'emergency:other': ['{place}电梯困人'],
  'request:repair': ['{place}{unit}单元电梯故障请求维修', '{place}楼道扶手松动请求维修'],
  'request:environment': ['{place}垃圾清运不及时，居民请求处理', '{place}绿化带杂草丛生'],
  'request:elderly_help': ['{place}独居老人请求代购药品', '{place}高龄老人请求上门办理证明'],
  'request:micro_wish': ['{place}孩子微心愿：一套课外书', '{place}老人微心愿：一台收音机'],
  'request:other': ['{place}居民咨询社区服务事项'],
  'information:opinion': ['{place}居民对小区停车管理提出意见'],
  'information:suggestion': ['{place}居民建议增设电动车充电桩'],
  'information:complaint': ['{place}居民反映广场舞噪音'],
  'information:other': ['{place}居民反映社情民意'],
}

/** A Chinese description of a matter of this kind and category at a place. */
export function describeMatter(rng: Random, type: string, category: string, place: string): string {
  if (type === 'hazard') return describeHazard(rng, category, place)
  const templates = MATTER_DESCRIPTIONS[`${type}:${category}`] ?? ['{place}居民反映情况']
  return rng
    .pick(templates)
    .replaceAll('{place}', place)
    .replaceAll('{unit}', String(rng.int(1, 3)))
    .replaceAll('{floor}', String(rng.int(2, 18)))
}

/** Notes of escalations (升级) in the demo timelines. */
export const ESCALATION_NOTES = ['微网格内无法解决，提请网格协调', '涉及多个单位，需街道统筹处置', '住户拒不整改，需上级协调', '涉及公共设施维修，需物业和街道协调']

/** Notes used on hazard events, by target status. */
export const EVENT_NOTES: Record<string, string[]> = {
  dispatched: ['已派单至网格员', '请网格员尽快到场处置', '已转交责任网格处置'],
  rectifying: ['网格员已到场处置', '已到场，正在整改', '已联系住户，现场整改中'],
  rectified: ['已整改完毕，请复查', '已清理完毕', '已督促住户整改到位', '已更换/维修完毕'],
  verified: ['复查通过', '现场复查已整改到位', '复查合格，销号'],
  reopened: ['复查未通过：问题反弹', '复查发现仍未整改到位', '住户再次违规，重新处置'],
  rejected: ['经核实不属于隐患', '重复上报，已合并', '现场核实无此情况'],
}

/** A Chinese description of a hazard of this category at a place (building label or name). */
export function describeHazard(rng: Random, category: string, place: string): string {
  const templates = DESCRIPTIONS[category] ?? DESCRIPTIONS.other ?? ['{place}存在安全隐患']
  return rng
    .pick(templates)
    .replaceAll('{place}', place)
    .replaceAll('{unit}', String(rng.int(1, 3)))
    .replaceAll('{floor}', String(rng.int(2, 18)))
}
