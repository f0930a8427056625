"""Fictional names for the demo city 江澜市 (test region 99). Department names are
the standard names of Chinese municipal bodies; no person or company here is real."""

CITY_NAME = "江澜市"
CITY_REGION = "990100"
DISTRICTS = {"990102": "东湖区", "990103": "西山区", "990104": "南湖区"}
COUNTIES = {"990121": "青山县", "990122": "白水县", "990123": "云溪县"}

# (name, short name, kind) — kind: department | public_institution | vertical
CITY_DEPARTMENTS = [
    ("江澜市政务服务和大数据管理局", "数据局", "department"),
    ("江澜市发展和改革委员会", "发改委", "department"),
    ("江澜市教育局", "教育局", "department"),
    ("江澜市科学技术局", "科技局", "department"),
    ("江澜市工业和信息化局", "工信局", "department"),
    ("江澜市公安局", "公安局", "department"),
    ("江澜市民政局", "民政局", "department"),
    ("江澜市司法局", "司法局", "department"),
    ("江澜市财政局", "财政局", "department"),
    ("江澜市人力资源和社会保障局", "人社局", "department"),
    ("江澜市自然资源和规划局", "自然资源和规划局", "department"),
    ("江澜市生态环境局", "生态环境局", "department"),
    ("江澜市住房和城乡建设局", "住建局", "department"),
    ("江澜市交通运输局", "交通运输局", "department"),
    ("江澜市水利局", "水利局", "department"),
    ("江澜市农业农村局", "农业农村局", "department"),
    ("江澜市商务局", "商务局", "department"),
    ("江澜市文化广电旅游局", "文广旅局", "department"),
    ("江澜市卫生健康委员会", "卫健委", "department"),
    ("江澜市退役军人事务局", "退役军人局", "department"),
    ("江澜市应急管理局", "应急管理局", "department"),
    ("江澜市审计局", "审计局", "department"),
    ("江澜市市场监督管理局", "市场监管局", "department"),
    ("江澜市体育局", "体育局", "department"),
    ("江澜市统计局", "统计局", "department"),
    ("江澜市医疗保障局", "医保局", "department"),
    ("江澜市城市管理局", "城管局", "department"),
    ("江澜市林业局", "林业局", "department"),
    ("江澜市人民防空办公室", "人防办", "department"),
    ("江澜市信访局", "信访局", "department"),
    ("江澜市民族宗教事务局", "民宗局", "department"),
    ("江澜市机关事务管理局", "机关事务局", "department"),
    ("江澜市消防救援支队", "消防支队", "vertical"),
    ("国家税务总局江澜市税务局", "税务局", "vertical"),
    ("江澜市住房公积金管理中心", "公积金中心", "public_institution"),
    ("江澜市不动产登记中心", "不动产登记中心", "public_institution"),
    ("江澜市政务服务中心", "政务服务中心", "public_institution"),
    ("江澜市公共资源交易中心", "公共资源交易中心", "public_institution"),
    ("江澜市社会保险事业管理中心", "社保中心", "public_institution"),
    ("江澜市气象局", "气象局", "vertical"),
]

COUNTY_DEPARTMENTS = [
    ("政务服务和大数据管理局", "department"),
    ("公安局", "department"),
    ("民政局", "department"),
    ("人力资源和社会保障局", "department"),
    ("住房和城乡建设局", "department"),
    ("市场监督管理局", "department"),
    ("卫生健康局", "department"),
    ("自然资源局", "department"),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛")
GIVEN_CHARS = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉玲丹建红飞峰波宁欣然子涵梓轩浩宇思雨嘉怡俊博文昊晨阳佳颖一诺雅琪泽宇梦瑶"
STREETS = (
    "滨江路",
    "解放路",
    "人民路",
    "建设大道",
    "澜湖街",
    "青山路",
    "文昌路",
    "云溪大道",
    "白水街",
    "东湖路",
    "西山路",
    "南湖大道",
)
COMPANY_WORDS = (
    "恒信",
    "澜海",
    "青禾",
    "云启",
    "瑞丰",
    "华章",
    "嘉鑫",
    "汇通",
    "明德",
    "远航",
    "晟达",
    "博远",
    "鼎盛",
    "安和",
    "新源",
    "润泽",
)
INDUSTRIES = (
    ("餐饮管理", "餐饮"),
    ("商贸", "批发零售"),
    ("信息技术", "软件和信息技术服务"),
    ("建筑工程", "建筑"),
    ("物流", "交通运输"),
    ("食品", "食品制造"),
    ("医药", "医药"),
    ("文化传媒", "文化"),
    ("农业科技", "农业"),
    ("物业服务", "房地产"),
    ("教育咨询", "教育"),
    ("机械制造", "制造"),
)
COMPANY_FORMS = ("有限公司", "有限责任公司", "股份有限公司", "个体工商户", "合作社")
