"""Names in the scripts London writes them in, with the ethnicity, accent and language
that go with each heritage: a grab pack must hold a name as the person writes it."""

from __future__ import annotations

from dataclasses import dataclass

from grabpack.demo.data.tables import rows


@dataclass(frozen=True)
class Heritage:
    """Where a family's names come from, and what a pack says about them."""

    key: str
    weight: float
    ethnicity: str  # as described
    accent: str
    languages: tuple[str, ...]
    native_share: float  # how often the record holds the name in its own script
    worship: str
    hair: tuple[str, ...]
    men: tuple[str, ...]
    women: tuple[str, ...]
    surnames: tuple[str, ...]


# Four lines each. First: key; weight; ethnicity; accent; first languages; share of records in
# the native script; place of worship; hair colours (default black, dark brown). Then men's
# given names, women's, and family names: "native|Latin" where the script is not Latin,
# "his/hers" where a family name differs by gender.
HERITAGE_TABLE = """
english; 22; White British; London; English; 0; ; Brown, Mousy brown, Fair, Dark blonde, Ginger
    James, Daniel, Thomas, Ryan, Callum, Jack, Liam, Matthew, Stephen, Paul, Gary, Connor
    Emma, Sophie, Chloe, Charlotte, Hannah, Jade, Lauren, Rebecca, Kirsty, Natalie, Joanne
    Smith, Taylor, Brown, Wilson, Walker, Hughes, Green, Clarke, Baker, Harris, Turner, Cooper
irish; 6; White Irish; Irish; English, Irish; 0; Catholic church; Brown, Red, Dark brown, Fair
    Seán, Cian, Pádraig, Eoin, Darragh, Ciarán, Dónal
    Siobhán, Aoife, Niamh, Caoimhe, Róisín, Bríd, Orla
    Ó Briain/Ní Bhriain, Ó Súilleabháin/Ní Shúilleabháin, Murphy, Kelly, Byrne, Walsh
caribbean; 8; Black British (Caribbean); London; English; 0; Pentecostal church
    Marcus, Andre, Dwayne, Jermaine, Leon, Winston, Delroy
    Shanice, Marcia, Simone, Jasmine, Beverley, Tanisha, Yvonne
    Campbell, Thompson, Williams, Francis, Grant, Morgan, Reid, Henry
polish; 7; White other (Polish); Polish; Polish; 0; Polish Catholic church; Brown, Fair, Dark blonde
    Łukasz, Paweł, Michał, Krzysztof, Tomasz, Jakub, Grzegorz
    Zuzanna, Agnieszka, Małgorzata, Katarzyna, Joanna, Magdalena, Justyna
    Wójcik, Dąbrowski/Dąbrowska, Kowalski/Kowalska, Zieliński/Zielińska, Nowak, Woźniak
romanian; 4; White other (Romanian); Romanian; Romanian; 0; Romanian Orthodox church
    Andrei, Ștefan, Mihai, Ionuț, Alexandru
    Ioana, Elena, Andreea, Mădălina, Cristina
    Popescu, Dumitrescu, Ionescu, Stan, Constantinescu, Munteanu
arabic; 7; Arab; Arabic; Arabic; 0.5; Mosque
    محمد|Mohammed, أحمد|Ahmed, عمر|Omar, يوسف|Youssef, خالد|Khaled, كريم|Karim
    فاطمة|Fatima, مريم|Maryam, ليلى|Layla, نور|Nour, عائشة|Aisha, هدى|Huda
    الحسن|Al-Hassan, العلي|Al-Ali, حداد|Haddad, منصور|Mansour, الشامي|Al-Shami
bengali; 8; Asian British (Bangladeshi); London; Sylheti, Bengali, English; 0.5; Mosque
    রহিম|Rahim, করিম|Karim, আব্দুল|Abdul, শাহেদ|Shahed, জামাল|Jamal, সাইফুল|Saiful
    নাসরিন|Nasrin, রুমানা|Rumana, শাহানা|Shahana, ফাতেমা|Fatema, তাসলিমা|Taslima
    উদ্দিন|Uddin/বেগম|Begum, আহমেদ|Ahmed, মিয়া|Miah/খাতুন|Khatun, হোসেন|Hussain
chinese; 4; Chinese; Chinese; Mandarin, Cantonese; 0.5; Chinese community centre
    伟|Wei, 磊|Lei, 洋|Yang, 俊|Jun, 浩|Hao
    娜|Na, 敏|Min, 静|Jing, 丽|Li, 芳|Fang
    王|Wang, 李|Li, 张|Zhang, 刘|Liu, 陈|Chen, 杨|Yang, 黄|Huang
somali; 6; Black African (Somali); Somali; Somali; 0; Mosque
    Abdirahman, Mohamed, Abdullahi, Hassan, Abdikarim, Yusuf
    Hodan, Faadumo, Ayaan, Sahra, Hibo, Nimco
    Warsame, Farah, Mohamud, Abdi, Jama, Osman
yoruba; 6; Black African (Nigerian); Nigerian; English, Yoruba; 0; Pentecostal church
    Oluwaseun, Adebayo, Babatunde, Olúmidé, Tunde, Ayọ̀dé
    Folasade, Adéọlá, Titilayo, Oluwakemi, Yetunde, Ìfẹ́olúwa
    Adeyemi, Ogunbanjo, Àyìnlá, Oyelaran, Akinola, Balogun
akan; 4; Black African (Ghanaian); Ghanaian; English, Twi; 0; Methodist church
    Kwame, Kofi, Kwabena, Yaw, Kojo
    Ama, Akosua, Abena, Efua, Adwoa
    Mensah, Boateng, Asante, Owusu, Appiah, Ofori
turkish; 5; Turkish; Turkish; Turkish; 0; Mosque
    Mehmet, Emre, Burak, Oğuz, Hüseyin, Mustafa
    Ayşe, Zeynep, Elif, Gülşen, Şeyma, Fatma
    Yılmaz, Kaya, Demir, Çelik, Şahin, Öztürk, Aydın
portuguese; 5; White other (Portuguese); Portuguese; Portuguese; 0; Catholic church
    João, Tiago, Gonçalo, Rui, André, Luís
    Inês, Ana, Mariana, Beatriz, Conceição, Luísa
    Gonçalves, Ferreira, Sousa, Pereira, Rodrigues, Simões, Araújo
south_asian; 6; Asian British (Indian); London; Gujarati, Punjabi, Tamil, English; 0; Gurdwara
    Rajesh, Sandeep, Arjun, Harpreet, Vikram, Karthik
    Priya, Anjali, Harjit, Meena, Kavita, Lakshmi
    Patel, Shah, Singh/Kaur, Sharma, Gill, Sivakumar
vietnamese; 2; Vietnamese; Vietnamese; Vietnamese; 0; Buddhist temple
    Văn Minh, Đức Anh, Quang Huy
    Thị Lan, Thu Hà, Ngọc Ánh
    Nguyễn, Trần, Lê, Phạm
"""


def _heritages(table: str) -> tuple[Heritage, ...]:
    """Parse ``HERITAGE_TABLE``: four lines a heritage."""
    lines = [line for line in table.splitlines() if line.strip()]
    heritages = []
    for start in range(0, len(lines), 4):
        head = [cell.strip() for cell in lines[start].split(";")] + [""]  # hair is optional
        key, weight, ethnicity, accent, languages, native, worship, hair = head[:8]
        men, women, surnames = (
            tuple(name.strip() for name in line.split(",")) for line in lines[start + 1 : start + 4]
        )
        heritages.append(
            Heritage(
                key,
                float(weight),
                ethnicity,
                accent,
                tuple(languages.split(", ")),
                float(native),
                worship,
                tuple((hair or "Black, Dark brown").split(", ")),
                men,
                women,
                surnames,
            )
        )
    return tuple(heritages)


HERITAGES = _heritages(HERITAGE_TABLE)
HERITAGES_BY_KEY = {heritage.key: heritage for heritage in HERITAGES}
FAMILY_NAME_FIRST = {"chinese"}  # in the native script, family name first, no space

# Spread through the list so that every run, whatever its size, shows these scripts:
# heritage | gender | given name | family name | recorded in the native script
FORCED_NAMES = rows("""
    arabic | Male | Mohammed | Al-Hassan | yes
    chinese | Male | Wei | Wang | yes
    bengali | Male | Rahim | Uddin | yes
    polish | Male | Łukasz | Wójcik | no
    polish | Female | Zuzanna | Dąbrowska | no
    irish | Female | Siobhán | Ní Bhriain | no
""")


def name_part(entry: str, gender: str) -> tuple[str, str]:
    """(as written, in Latin script) for a name-bank entry, in its gendered form if it has one."""
    forms = entry.split("/")
    form = forms[1] if len(forms) > 1 and gender == "Female" else forms[0]
    written, _, latin = form.partition("|")
    return written, latin or written
