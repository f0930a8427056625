"""The demo city's service items (政务服务事项), written the way a 实施清单 reads.

One line per basic item: ``部门|事项名称|类型|对象|主题|法定|承诺|办理项|审批结果|材料;…|参与部门,…``.
Types are ItemType values; 办理项 is a comma list (新办, 变更, 延续, 注销, 补办 …) or empty;
promised 0 makes a 即办件. Materials: ``名称`` (required), ``名称?`` (optional), and
``名称@证照`` / ``名称@R:资源代码`` for documents the platform fetches itself (免提交).
"""

ITEMS = """
市场监管局|营业执照|confirmation|company|startup|15|1|设立登记,变更登记,注销登记|营业执照|登记申请书;法定代表人身份证明@idcard;住所使用证明;公司章程|
市场监管局|食品经营许可|licensing|company|startup|20|5|新办,变更,延续,注销|食品经营许可证|食品经营许可申请书;营业执照@biz;法定代表人身份证明@idcard;经营场所平面图;食品安全管理制度|卫健委
市场监管局|食品生产许可|licensing|company|operation|20|10|新办,变更,延续|食品生产许可证|食品生产许可申请书;营业执照@biz;生产场所平面图;工艺流程图;食品安全管理制度|
市场监管局|小餐饮登记|confirmation|company|startup|10|3|新办,变更|小餐饮登记证|登记申请表;经营者身份证明@idcard;经营场所使用证明|
市场监管局|药品零售企业经营许可|licensing|company|operation|30|15|新办,变更,延续|药品经营许可证|申请书;营业执照@biz;执业药师注册证;经营场所平面图|卫健委
市场监管局|特种设备使用登记|confirmation|company|operation|15|5|新办,变更,注销|特种设备使用登记证|使用登记表;特种设备产品合格证;监督检验证明;营业执照@biz|
市场监管局|计量器具型式批准|licensing|company|operation|20|10||型式批准证书|申请书;样机照片;计量性能说明|
市场监管局|企业年度报告公示|public_service|company|operation|0|0||公示结果|年度报告;企业信息@R:B0201/000001|
城管局|户外招牌设置审批|licensing|company|startup|20|5|新办,变更|户外招牌设置许可决定书|设置申请表;招牌设计效果图;营业执照@biz;场所产权证明?|市场监管局
城管局|城市建筑垃圾处置核准|licensing|company|construction|20|7|新办,延续|建筑垃圾处置核准文件|申请书;运输车辆清单;消纳场所证明|住建局,生态环境局
城管局|临时占用城市道路审批|licensing|both|operation|20|5||占道许可决定书|申请书;占道位置图;申请人身份证明@idcard|交通运输局,公安局
消防支队|公众聚集场所投入使用营业前消防安全检查|licensing|company|startup|10|3||消防安全检查合格证|消防安全检查申报表;营业执照@biz;场所平面图;消防安全制度|住建局
消防支队|消防技术服务机构资质许可|licensing|company|operation|20|10|新办,延续|资质证书|申请书;营业执照@biz;人员执业资格证明|
住建局|建筑工程施工许可证核发|licensing|company|construction|15|3|新办,变更|建筑工程施工许可证|施工许可申请表;建设工程规划许可证@planning;施工合同;施工图审查合格书;营业执照@biz|自然资源和规划局,消防支队
住建局|建设工程消防验收|confirmation|company|construction|15|5||消防验收意见书|消防验收申请表;工程竣工验收报告;消防设计文件|消防支队
住建局|商品房预售许可|licensing|company|construction|10|5||商品房预售许可证|申请书;不动产权证书@property;建设工程规划许可证@planning;预售方案|自然资源和规划局
住建局|公共租赁住房资格确认|confirmation|person|housing|20|10|申请,年审|公租房资格确认书|申请表;身份证@idcard;户口簿@hukou;家庭收入证明;住房情况声明|民政局
住建局|房屋交易合同网签备案|public_service|both|housing|1|0||网签备案证明|交易合同;身份证@idcard;不动产权证书@property|
住建局|建筑业企业资质核准|licensing|company|operation|20|10|新办,延续,变更|建筑业企业资质证书|申请表;营业执照@biz;技术负责人职称证明;社保缴纳证明@R:C1001/000001|
自然资源和规划局|建设工程规划许可证核发|licensing|company|construction|20|10|新办,变更|建设工程规划许可证|申请表;建设工程设计方案;土地权属证明@property;营业执照@biz|住建局
自然资源和规划局|建设用地规划许可证核发|licensing|company|construction|20|10||建设用地规划许可证|申请表;用地批准文件;营业执照@biz|
不动产登记中心|不动产首次登记|confirmation|both|housing|30|5||不动产权证书|登记申请书;身份证@idcard;不动产权籍调查成果;土地出让合同|自然资源和规划局
不动产登记中心|不动产转移登记|confirmation|both|housing|30|3||不动产权证书|登记申请书;身份证@idcard;不动产权证书@property;房屋交易合同;完税凭证|税务局,住建局
不动产登记中心|不动产抵押登记|confirmation|both|housing|30|3|设立,注销|不动产登记证明|登记申请书;身份证@idcard;不动产权证书@property;抵押合同|
不动产登记中心|不动产登记资料查询|public_service|both|housing|0|0||查询结果|查询申请书;身份证@idcard|
公安局|户口迁移|confirmation|person|housing|20|5|市内迁移,迁入|户口簿|户口迁移申请表;身份证@idcard;户口簿@hukou;住房证明@property|
公安局|出生登记|confirmation|person|birth|10|0||户口簿|出生登记申请表;出生医学证明@R:C1801/000001;父母身份证@idcard;户口簿@hukou|卫健委
公安局|居民身份证|confirmation|person|transport|60|15|申领,换领,补领|居民身份证|申请表;户口簿@hukou;近期免冠照片|
公安局|机动车驾驶证|licensing|person|transport|10|1|初次申领,换证,补证|机动车驾驶证|申请表;身份证@idcard;体检证明|卫健委
公安局|机动车登记|confirmation|both|transport|2|1|注册登记,转移登记,注销登记|机动车登记证书|申请表;身份证@idcard;购车发票;交通事故责任强制保险凭证|
公安局|无犯罪记录证明开具|public_service|person|employment|5|1||无犯罪记录证明|申请表;身份证@idcard|
公安局|保安服务许可证核发|licensing|company|operation|20|10||保安服务许可证|申请书;营业执照@biz;管理人员资格证明|
民政局|婚姻登记|confirmation|person|marriage|0|0|结婚登记,离婚登记,补领婚姻登记证|结婚证|申请表;身份证@idcard;户口簿@hukou;本人近期照片|
民政局|最低生活保障审核确认|confirmation|person|social_security|30|15||低保确认决定|申请书;身份证@idcard;户口簿@hukou;家庭收入证明;家庭财产声明|人社局,住建局
民政局|社会团体成立登记|confirmation|company|startup|60|20|成立,变更,注销|社会团体法人登记证书|登记申请书;章程草案;住所使用证明;发起人身份证明@idcard|
民政局|养老机构备案|public_service|company|retirement|5|3||备案回执|备案书;营业执照@biz;消防安全检查合格证;服务场所证明|消防支队,卫健委
民政局|殡葬补贴发放|benefit|person|death|20|10||殡葬补贴|申请表;死亡证明;申请人身份证@idcard;户口簿@hukou|公安局
民政局|高龄津贴发放|benefit|person|retirement|20|10||高龄津贴|申请表;身份证@idcard;户口簿@hukou|
人社局|失业保险金申领|benefit|person|employment|20|5||失业保险金|申领表;身份证@idcard;解除劳动合同证明;参保信息@R:C1001/000001|社保中心
人社局|就业创业证申领|confirmation|person|employment|5|1||就业创业证|申请表;身份证@idcard;近期照片?|
人社局|创业担保贷款贴息|benefit|both|startup|20|10||贴息资金|申请表;营业执照@biz;身份证@idcard;贷款合同|财政局
人社局|职业技能等级认定|confirmation|person|employment|30|20||职业技能等级证书|报名表;身份证@idcard;学历证明|
人社局|人力资源服务许可|licensing|company|operation|20|10|新办,变更,延续|人力资源服务许可证|申请书;营业执照@biz;专职工作人员证明;场所证明|
人社局|劳务派遣经营许可|licensing|company|operation|20|10|新办,延续,注销|劳务派遣经营许可证|申请书;营业执照@biz;注册资本证明;经营场所证明|
社保中心|城乡居民基本养老保险参保登记|confirmation|person|social_security|5|0||参保登记凭证|登记表;身份证@idcard;户口簿@hukou|
社保中心|基本养老保险待遇申领|benefit|person|retirement|20|5||养老金|申领表;身份证@idcard;参保信息@R:C1001/000001;银行账户信息|
社保中心|社会保障卡申领|public_service|person|social_security|20|5|申领,补换|社会保障卡|申请表;身份证@idcard;近期照片|
社保中心|企业职工参保登记|confirmation|company|startup|5|0||参保登记凭证|参保登记表;营业执照@biz;职工名册|
社保中心|社会保险关系转移|public_service|person|employment|45|15||转移接续凭证|转移申请表;身份证@idcard;参保缴费凭证@R:C1001/000001|
医保局|城乡居民医疗保险参保登记|confirmation|person|medical|5|0||参保凭证|登记表;身份证@idcard;户口簿@hukou|
医保局|异地就医备案|public_service|person|medical|5|0||备案回执|备案表;身份证@idcard;医保电子凭证?|
医保局|门诊慢特病待遇认定|confirmation|person|medical|20|10||待遇认定书|申请表;身份证@idcard;病历资料;诊断证明|卫健委
医保局|生育医疗费用报销|benefit|person|birth|20|10||报销款|申请表;身份证@idcard;出生医学证明@R:C1801/000001;医疗费用票据|
卫健委|出生医学证明|confirmation|person|birth|5|1|首次签发,补发,换发|出生医学证明|申请表;父母身份证@idcard;分娩记录|
卫健委|医疗机构执业登记|licensing|company|startup|45|20|新办,变更,校验,注销|医疗机构执业许可证|申请书;营业执照@biz;建筑设计平面图;医务人员执业证书|消防支队,生态环境局
卫健委|医师执业注册|licensing|person|employment|20|5|首次注册,变更注册|医师执业证书|注册申请表;医师资格证书;身份证@idcard;体检证明|
卫健委|公共场所卫生许可|licensing|company|startup|20|5|新办,变更,延续|公共场所卫生许可证|申请书;营业执照@biz;卫生管理制度;从业人员健康证明|
卫健委|母婴保健技术服务执业许可|licensing|company|operation|20|10|新办,延续|母婴保健技术服务执业许可证|申请书;医疗机构执业许可证;人员资质证明|
卫健委|再生育服务登记|public_service|person|birth|5|1||服务登记回执|登记表;夫妻身份证@idcard;户口簿@hukou;结婚证@marriage|
教育局|民办学校办学许可|licensing|company|education|90|30|设立,变更,延续|办学许可证|申请书;举办者资格证明;章程;校舍证明|消防支队,卫健委
教育局|教师资格认定|confirmation|person|education|60|20||教师资格证书|认定申请表;身份证@idcard;学历证书;体检合格证明|
教育局|义务教育入学登记|public_service|person|education|20|5||入学通知|入学登记表;户口簿@hukou;住房证明@property;儿童身份证明@idcard|公安局,不动产登记中心
教育局|学历认证|public_service|person|education|20|5||学历认证报告|申请表;身份证@idcard;毕业证书|
交通运输局|道路运输经营许可|licensing|company|operation|20|10|新办,变更,延续|道路运输经营许可证|申请书;营业执照@biz;车辆清单;驾驶员从业资格证|
交通运输局|出租汽车驾驶员从业资格|licensing|person|employment|20|10|新办,延续|从业资格证|申请表;机动车驾驶证@driving;身份证@idcard;无犯罪记录证明|公安局
交通运输局|网络预约出租汽车运输证|licensing|both|operation|20|10|新办,注销|网约车运输证|申请表;机动车行驶证;车辆保险凭证|公安局
生态环境局|建设项目环境影响评价文件审批|licensing|company|construction|60|20||环评批复|审批申请;环境影响报告书;营业执照@biz|自然资源和规划局
生态环境局|排污许可|licensing|company|operation|30|15|新办,变更,延续|排污许可证|申请表;营业执照@biz;污染物排放监测报告|
水利局|取水许可|licensing|company|construction|45|20|新办,变更,延续|取水许可证|申请书;水资源论证报告;营业执照@biz|
农业农村局|农作物种子生产经营许可|licensing|company|operation|20|10|新办,变更|种子生产经营许可证|申请表;营业执照@biz;种子加工设备清单|
农业农村局|动物防疫条件合格证核发|licensing|company|operation|20|10||动物防疫条件合格证|申请表;场所平面图;防疫制度|
农业农村局|农村宅基地审批|licensing|person|housing|20|10||农村宅基地批准书|申请表;身份证@idcard;户口簿@hukou;村民会议意见|自然资源和规划局
林业局|林木采伐许可|licensing|both|operation|20|5||林木采伐许可证|申请书;林权证明;采伐作业设计|
文广旅局|营业性演出审批|licensing|company|operation|20|5||营业性演出批准文件|申请书;演出节目内容材料;营业执照@biz|公安局
文广旅局|旅行社业务经营许可|licensing|company|startup|20|10|新办,变更|旅行社业务经营许可证|申请书;营业执照@biz;经营场所证明;质量保证金存缴证明|
文广旅局|娱乐场所经营许可|licensing|company|startup|20|10|新办,变更,延续|娱乐经营许可证|申请书;营业执照@biz;消防安全检查合格证|消防支队,公安局
商务局|对外贸易经营者备案|public_service|company|operation|5|1||备案登记表|备案登记表;营业执照@biz|
商务局|单用途商业预付卡备案|public_service|company|operation|5|3||备案回执|备案表;营业执照@biz;资金存管协议|
税务局|税务登记信息确认|confirmation|company|startup|1|0||税务信息确认书|确认表;营业执照@biz;法定代表人身份证明@idcard|市场监管局
税务局|增值税发票领用|public_service|company|tax|1|0||发票|领用申请;经办人身份证明@idcard|
税务局|个人所得税综合所得汇算清缴|levy|person|tax|0|0||完税证明|年度汇算申报表;身份证@idcard|
税务局|清税证明开具|public_service|company|closure|5|1||清税证明|清税申报表;营业执照@biz|
公积金中心|住房公积金提取|benefit|person|housing|3|1|购房提取,租房提取,离退休提取|提取款|提取申请表;身份证@idcard;公积金缴存信息@R:C3501/000001;购房合同?|
公积金中心|住房公积金贷款|benefit|person|housing|15|7||贷款合同|贷款申请表;身份证@idcard;购房合同;公积金缴存信息@R:C3501/000001|不动产登记中心
公积金中心|单位住房公积金缴存登记|confirmation|company|startup|5|0||缴存登记凭证|缴存登记表;营业执照@biz|
退役军人局|退役士兵安置|benefit|person|employment|60|30||安置通知书|安置申请表;退出现役证;身份证@idcard|人社局
退役军人局|优待证申领|public_service|person|social_security|20|10||退役军人优待证|申请表;身份证@idcard;退役证明|
应急管理局|危险化学品经营许可|licensing|company|operation|30|15|新办,变更,延续|危险化学品经营许可证|申请书;营业执照@biz;经营场所证明;安全评价报告|消防支队
应急管理局|烟花爆竹经营（零售）许可|licensing|company|operation|20|10|新办,延续|烟花爆竹经营许可证|申请书;营业执照@biz;储存场所证明|消防支队,公安局
人防办|人防工程建设审批|licensing|company|construction|20|10||人防工程审批意见|申请表;人防工程设计文件|住建局
体育局|高危险性体育项目经营许可|licensing|company|operation|30|10|新办,延续|高危险性体育项目经营许可证|申请书;营业执照@biz;救生人员资质证明|
气象局|雷电防护装置设计审核|licensing|company|construction|20|5||设计审核意见书|申请书;防雷装置设计文件|
司法局|法律援助申请|public_service|person|employment|7|3||法律援助决定书|申请表;身份证@idcard;经济困难证明|
司法局|公证员执业审核|licensing|person|employment|30|20||公证员执业证|申请表;身份证@idcard;法律职业资格证书|
发改委|企业投资项目备案|public_service|company|construction|5|1||项目备案证明|备案表;营业执照@biz;项目情况说明|
发改委|政府投资项目可行性研究报告审批|licensing|company|construction|20|10||批复文件|申请文件;可行性研究报告|自然资源和规划局,生态环境局
科技局|高新技术企业认定申报|confirmation|company|operation|60|30||高新技术企业证书|申请书;营业执照@biz;知识产权证明;研发费用专项审计报告|财政局,税务局
工信局|技术改造项目备案|public_service|company|operation|5|2||备案证明|备案表;营业执照@biz|
民宗局|宗教活动场所筹备设立审批|licensing|company|operation|90|60||批准文件|申请书;场所产权证明;拟任负责人身份证明@idcard|
数据局|政务数据共享申请|public_service|company|operation|20|5||共享授权|共享申请表;用途说明|
政务服务中心|政务服务投诉受理|public_service|both|operation|5|3||处理意见|投诉表;申请人身份证明@idcard?|
公共资源交易中心|工程建设项目招标文件备案|public_service|company|construction|5|2||备案回执|招标文件;营业执照@biz|住建局
"""

# Licence types the demo issues: (issuer short name, 3-digit suffix, name).
LICENCES = {
    "biz": ("市场监管局", "001", "营业执照"),
    "food": ("市场监管局", "002", "食品经营许可证"),
    "idcard": ("公安局", "001", "居民身份证"),
    "hukou": ("公安局", "002", "居民户口簿"),
    "driving": ("公安局", "003", "机动车驾驶证"),
    "marriage": ("民政局", "001", "结婚证"),
    "property": ("不动产登记中心", "001", "不动产权证书"),
    "planning": ("自然资源和规划局", "001", "建设工程规划许可证"),
}

# County departments implementing the same basic items (city short name → county suffix).
COUNTY_COUNTERPARTS = {
    "公安局": "公安局",
    "民政局": "民政局",
    "人社局": "人力资源和社会保障局",
    "住建局": "住房和城乡建设局",
    "市场监管局": "市场监督管理局",
    "卫健委": "卫生健康局",
    "自然资源和规划局": "自然资源局",
}

# 办理项 qualifiers that multiply a city-scale list: the same item under another procedure.
QUALIFIERS = ("", "（告知承诺制）", "（跨省通办）", "（容缺受理）", "（全程网办）")

FEES = {
    "机动车驾驶证": "工本费 10 元（《江澜市行政事业性收费目录》）",
    "机动车登记": "号牌工本费 100 元、行驶证工本费 10 元",
    "居民身份证": "换领、补领工本费 20 元（首次申领免费）",
    "不动产首次登记": "住宅类 80 元/件，非住宅类 550 元/件（发改价格规〔2016〕2559号）",
    "不动产转移登记": "住宅类 80 元/件，非住宅类 550 元/件（发改价格规〔2016〕2559号）",
}
