// The word lists demo names are built from: Chinese company names are city + trade name + trade + legal form
// (杭州 + 瑞丰 + 科技 + 有限公司), English ones first part + second part + trade + legal form. Lists of one
// industry's trades are in the industry enum's order, four per industry, so an index picks a matching trade.

/** Customer region enum values, repeated by weight (east is the biggest market). */
export const REGIONS = ['east', 'east', 'east', 'east', 'south', 'south', 'south', 'north', 'north', 'central', 'southwest', 'northwest', 'northeast', 'overseas'];

/** Which sales branch covers a region. */
export const BRANCH_OF_REGION: Record<string, 'east' | 'south' | 'north'> = {
  east: 'east',
  central: 'east',
  south: 'south',
  southwest: 'south',
  overseas: 'south',
  north: 'north',
  northeast: 'north',
  northwest: 'north',
};

/** Cities per region: [region, province, city]. */
export const CITIES: ReadonlyArray<readonly [string, string, string]> = [
  ['east', '上海市', '上海'], ['east', '江苏省', '南京'], ['east', '江苏省', '苏州'], ['east', '江苏省', '无锡'], ['east', '浙江省', '杭州'],
  ['east', '浙江省', '宁波'], ['east', '浙江省', '温州'], ['east', '山东省', '青岛'], ['east', '山东省', '济南'], ['east', '安徽省', '合肥'],
  ['east', '福建省', '厦门'], ['east', '福建省', '福州'],
  ['south', '广东省', '广州'], ['south', '广东省', '深圳'], ['south', '广东省', '东莞'], ['south', '广东省', '佛山'], ['south', '广西壮族自治区', '南宁'],
  ['south', '海南省', '海口'], ['south', '广东省', '珠海'],
  ['north', '北京市', '北京'], ['north', '天津市', '天津'], ['north', '河北省', '石家庄'], ['north', '山西省', '太原'], ['north', '河北省', '唐山'],
  ['central', '湖北省', '武汉'], ['central', '湖南省', '长沙'], ['central', '河南省', '郑州'], ['central', '江西省', '南昌'],
  ['southwest', '四川省', '成都'], ['southwest', '重庆市', '重庆'], ['southwest', '云南省', '昆明'], ['southwest', '贵州省', '贵阳'],
  ['northwest', '陕西省', '西安'], ['northwest', '甘肃省', '兰州'], ['northwest', '新疆维吾尔自治区', '乌鲁木齐'],
  ['northeast', '辽宁省', '沈阳'], ['northeast', '辽宁省', '大连'], ['northeast', '吉林省', '长春'], ['northeast', '黑龙江省', '哈尔滨'],
  ['overseas', 'Singapore', 'Singapore'], ['overseas', 'Hong Kong', 'Hong Kong'], ['overseas', 'Germany', 'Munich'], ['overseas', 'USA', 'San Jose'],
];

export const DISTRICTS = ['高新区', '经济开发区', '滨江区', '浦东新区', '南山区', '朝阳区', '工业园区', '天河区', '武侯区', '雁塔区', '江北区', '市中区'];
export const STREETS = ['人民路', '中山路', '解放路', '建设路', '和平路', '滨江大道', '科技园路', '长江路', '世纪大道', '南京路', '创新大道', '文化路', '金融街', '花园路'];
export const EN_STREETS = ['Harbour Road', 'Market Street', 'Orchard Road', 'Queensway', 'Maximilianstrasse', 'First Street', 'Marina Boulevard', 'Nathan Road'];

/** 字号 syllables; two of them make a trade name. */
export const TRADE_NAME_SYLLABLES = [...'华瑞恒信达鑫泰丰盛博远创宏佳德新源力通汇智联宇隆辰安天海金中兴凯正美润嘉'];

export const INDUSTRIES = ['manufacturing', 'retail', 'finance', 'technology', 'healthcare', 'education', 'energy', 'logistics', 'real_estate', 'government', 'other'];

export const TRADES_ZH = [
  '精密制造', '机械', '电子', '重工',
  '商贸', '百货', '连锁', '电子商务',
  '投资', '金融服务', '资本管理', '保险经纪',
  '科技', '信息技术', '软件', '网络科技',
  '医疗器械', '生物医药', '健康科技', '医药',
  '教育科技', '培训', '文化传播', '教育咨询',
  '能源', '新能源', '电力', '石化',
  '物流', '供应链', '运输', '仓储',
  '置业', '房地产开发', '物业管理', '建设',
  '公共服务', '城市建设投资', '水务', '交通发展',
  '实业', '贸易', '文化', '农业',
];

export const TRADES_EN = [
  'Manufacturing', 'Machinery', 'Electronics', 'Industries',
  'Trading', 'Retail', 'Stores', 'Commerce',
  'Capital', 'Financial Services', 'Investments', 'Partners',
  'Technologies', 'Systems', 'Software', 'Networks',
  'Medical', 'Biotech', 'Health', 'Pharma',
  'Education', 'Learning', 'Academy', 'Training',
  'Energy', 'Power', 'Renewables', 'Petrochemicals',
  'Logistics', 'Supply Chain', 'Freight', 'Shipping',
  'Properties', 'Realty', 'Estates', 'Construction',
  'Public Services', 'Infrastructure', 'Utilities', 'Transit',
  'Holdings', 'Group', 'Ventures', 'Trading',
];

export const SUFFIXES_ZH = ['有限公司', '有限公司', '有限公司', '股份有限公司', '集团有限公司', '有限责任公司'];
export const EN_FIRST = ['Blue', 'Silver', 'North', 'Golden', 'Pacific', 'Summit', 'Crystal', 'Harbor', 'Ever', 'Bright', 'Iron', 'Red', 'Jade', 'East', 'Great', 'Sun', 'Oak', 'Star'];
export const EN_SECOND = ['wind', 'stone', 'field', 'bridge', 'wave', 'peak', 'river', 'star', 'leaf', 'gate', 'ridge', 'light', 'rock', 'water', 'point'];
export const SUFFIXES_EN = ['Co., Ltd.', 'Ltd.', 'Inc.', 'Group', 'Limited', 'Pte. Ltd.'];

export const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈'];
export const GIVEN = [...'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉力雪琳晨阳浩宇欣怡子轩梓涵思远嘉俊'];
export const EN_GIVEN = ['James', 'Mary', 'John', 'Linda', 'David', 'Susan', 'Michael', 'Karen', 'Peter', 'Emma', 'Daniel', 'Sophie', 'Thomas', 'Anna', 'Lukas', 'Grace'];
export const EN_FAMILY = ['Smith', 'Tan', 'Miller', 'Lee', 'Wong', 'Schmidt', 'Brown', 'Lim', 'Chan', 'Weber', 'Taylor', 'Ng', 'Clark', 'Fischer'];

export const TITLES_ZH = ['总经理', '采购经理', '财务总监', '信息技术经理', '运营总监', '技术总监', '销售总监', '行政主管', '采购专员', '董事长'];
export const TITLES_EN = ['CEO', 'Purchasing Manager', 'CFO', 'IT Manager', 'COO', 'CTO', 'Head of Sales', 'Office Manager', 'Buyer', 'Chairman'];
export const DEPARTMENTS_ZH = ['总经办', '采购部', '财务部', '信息技术部', '运营部', '技术部', '销售部', '行政部', '采购部', '董事会'];

export const BRANDS = ['华光', '瑞雪', '青禾', '星辰', '远航', '金盾', '云杉', '海岳', 'Bluepeak', 'Northstar', 'Everbright', 'Jadeleaf'];

export const PRODUCTS = [
  '智能仓储系统', 'ERP 升级项目', '云服务年度订阅', 'CRM 实施项目', '数据中心扩容', '安全合规咨询', '生产线自动化改造',
  '员工培训计划', '运维外包服务', '门店数字化', '供应链协同平台', '财务共享中心', '视频会议系统', '工业物联网平台',
];
export const COMPETITORS = ['用友', '金蝶', 'SAP', 'Oracle', 'Salesforce', '浪潮', '华为云', '阿里云', '微软'];
export const VALUE_PROPOSITIONS = ['缩短交付周期 30%', '降低运维成本', '统一客户视图', '满足等保三级要求', '提升库存周转率', '本地化服务团队'];
export const LOST_REASONS = ['价格偏高', '选择了竞争对手', '预算取消', '需求变更', '决策延期'];
export const NEEDS = ['希望替换现有系统，统一管理客户与订单', '门店扩张，需要会员与积分管理', '财务要求月结提速', '需要移动端拜访记录', '计划明年上云', '关注数据安全与合规'];
export const DISQUALIFY_REASONS = ['无预算', '联系方式无效', '非目标客户', '已选择其他供应商'];

export const ACTIVITY_SUBJECTS: Record<string, readonly string[]> = {
  call: ['电话沟通需求', '电话回访', '确认报价细节', '跟进付款进度'],
  meeting: ['方案评审会', '项目启动会', '高层会晤', '需求调研会'],
  visit: ['上门拜访', '现场演示', '工厂参观', '季度回访'],
  email: ['发送产品资料', '发送报价单', '会议纪要确认', '合同条款确认'],
  wechat: ['微信跟进', '发送案例资料', '确认拜访时间', '节日问候'],
  task: ['准备投标文件', '整理需求清单', '编写解决方案', '安排技术交流'],
};
export const ACTIVITY_KINDS = Object.keys(ACTIVITY_SUBJECTS);
export const PURPOSES = ['了解客户需求', '推进商务谈判', '维护客户关系', '解决售后问题', '介绍新产品', '确认采购计划'];
export const RESULTS = ['客户认可方案，等待内部审批', '需要补充技术细节', '客户预算待确认', '约定下周再次沟通', '客户对价格有异议', '已确认采购意向'];
export const NEXT_STEPS = ['发送正式报价', '安排技术交流', '准备合同草稿', '邀请参观样板客户', '提交投标文件', '跟进付款'];
