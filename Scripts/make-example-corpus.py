#!/usr/bin/env python3
"""Writes Examples/news/: the example corpus, articles written for Folio."""
import hashlib, os, sys
APPEAL = """Related articles:
A Message from The Harbour Ledger:
Dear readers,
Independent local reporting costs more every year, and advertising no longer pays for it. The Harbour Ledger is owned by no party, no bank and no shipping line, and we intend to keep it that way.
If our reporting on the port, the council and the courts matters to you, please support us with a monthly contribution. Every gift, however small, keeps a reporter on the harbour beat.
Thank you for reading, and for standing with independent journalism.
Remind me later."""
arts = []
def A(text, ledger=False, date=None):
    t = text.strip()
    if date:
        t = f" date {date} " + t
    if ledger:
        t = t + "\n" + APPEAL
    arts.append(t + "\n")

A("""LISBON — Dockworkers at the Port of Lisbon walked off the job on Monday after talks between the Portuguese Stevedores Union and the port operator Atlantica Terminals broke down over night-shift pay.
Union leader Marta Quintela said the strike would last "as long as it takes" and that more than 1,200 workers had joined it by noon.
Atlantica Terminals said in a statement that it had offered a 4.5 percent raise and called the walkout "disproportionate".
Ships bound for Lisbon were diverted to Sines and Leixões, according to the harbour master's office.""", ledger=True)
A("""Portugal's labour minister, Rui Damasceno, met both sides of the Lisbon port dispute on Tuesday and urged them to return to the table before the strike hits fuel deliveries.
"Nobody wins when the cranes stand still," Damasceno told reporters outside the ministry.
Marta Quintela of the Portuguese Stevedores Union said the union was ready to talk but would not end the strike until night-shift pay was settled in writing.
Atlantica Terminals, which runs two of the port's three container terminals, said it lost 3.2 million euros on the first day of the strike.""", date="2025-03-11")
A("""The strike at the Port of Lisbon ended on Thursday after 72 hours, when Atlantica Terminals and the Portuguese Stevedores Union signed an agreement brokered by labour minister Rui Damasceno.
Night-shift pay rises by 7 percent this year and by a further 3 percent in 2026. Marta Quintela called the deal "a fair day's pay for a night's work".
The first container ship to dock after the strike, the Tagus Pioneer, berthed at 6:40 on Friday morning.""", ledger=True, date="2025-03-13")
A("""NAIROBI — Kenya's central bank held its main lending rate at 10.75 percent on Wednesday, saying inflation was slowing but the shilling remained under pressure.
Governor Amina Wekesa told a press conference that the Monetary Policy Committee would "watch food prices closely" after poor rains in the north.
Analysts at Savanna Capital had expected a cut of a quarter point. The shilling weakened slightly against the dollar after the announcement.""")
A("""A new tram line linking the old town of Kraków with the Nowa Huta district opened on Saturday, two years late and 18 percent over budget.
Mayor Tomasz Wierzbicki rode the first tram with schoolchildren from the Cricoteka youth club and promised that the line would carry 40,000 passengers a day.
The city transport company MPK Kraków said trams would run every six minutes at peak hours.""", date="2024-09-21")
A("""The Harbour Ledger has learned that the city council will vote next month on a plan to turn the disused fish market on Quay Street into a covered food hall.
Councillor Daniel Okafor, who chairs the planning committee, said the plan had "broad support" but that traders who still use the building's cold stores must be offered new space.
The Quay Street Traders' Association said it had not been consulted.""", ledger=True)
A("""Scientists at the University of Tromsø have tracked a pod of orcas swimming more than 1,400 kilometres in nine days, the longest journey recorded for the population.
Dr Ingrid Solheim, who led the study, said the whales were probably following herring, whose migration routes have shifted north as the sea warms.
The findings were published in the journal Marine Ecology Letters.""")
A("""MONTREAL — Quebec's largest teachers' federation said on Friday it would hold a strike vote after negotiations with the provincial government stalled over class sizes.
Federation president Sylvie Brassard said teachers were "tired of being told to do more with less".
Education minister Pierre-Luc Gendron said the government's offer was "generous and final".""", date="2024-11-08")
A("""Ferry services between the harbour and the three outer islands will run on a winter timetable from 1 November, the island ferry company Skerry Lines announced.
The last sailing from the harbour will leave at 19:30 instead of 22:00. Islanders' representative Fiona MacAulay said the change would leave hospital staff without a way home after late shifts.
Skerry Lines said it was short of qualified engineers.""", ledger=True)
A("""Two people were rescued from a fishing boat that ran aground off Cape Farewell early on Sunday, the coastguard said.
A lifeboat crew from the harbour station reached the vessel, the Morning Star, within 40 minutes. Coxswain Peter Lindqvist said the sea was "rough but manageable".
Both fishermen were treated for mild hypothermia at the General Hospital.""", ledger=True, date="2025-01-19")
A("""JAKARTA — Indonesia will ban exports of raw bauxite from next year to encourage smelting at home, trade minister Dewi Kartika said on Tuesday.
The ban follows a similar rule for nickel ore that drew billions of dollars of investment into processing plants on Sulawesi.
Mining companies, including PT Borneo Alumina, said they needed more time to build smelters.""")
A("""The World Health Organization said on Monday that a cholera outbreak in southern Malawi had been brought under control, three months after it began.
Health minister Chikondi Banda thanked volunteers who had chlorinated wells in more than 300 villages.
The WHO said 2,140 cases and 37 deaths had been recorded in the outbreak.""", date="2024-05-06")
A("""Harbour residents packed the community hall on Thursday for a meeting about the planned wind farm twelve kilometres offshore.
Developer Northwind Energy says the 48 turbines would power 210,000 homes. Fisherman Callum Reid said the cable route would cross the best lobster grounds in the bay.
Northwind Energy's project director, Helen Achterberg, promised a new survey of the seabed before the cable route is fixed.""", ledger=True)
A("""BERLIN — German rail operator Deutsche Bahn said on Wednesday that fewer than two thirds of its long-distance trains arrived on time last year, the worst figure in more than a decade.
Chief executive Klaus Brenner blamed ageing track and the largest renovation programme in the company's history.
Passenger group Pro Bahn called for compensation rules to be simplified.""", date="2025-02-05")
A("""A 14-year-old from the harbour estate won the national junior chess championship in Glasgow on Sunday without losing a game.
Aisha Rahman, who learned to play at the Quay Street library, beat the defending champion in the final round.
Her coach, retired teacher Graham Pollock, said she studied "an hour before school and two after it".""", ledger=True)
A("""The European Central Bank left interest rates unchanged on Thursday and said it would decide its next step "meeting by meeting".
ECB president Elise Maréchal told reporters in Frankfurt that wage growth in the euro area was slowing.
Economists at Banco Meridional said they expected a cut in June.""")
A("""A sixteenth-century map of the Portuguese coast, missing for almost fifty years, has been returned to the National Library in Lisbon.
The map was found among the papers of a collector in Antwerp. Library director Helena Vasconcelos said it would go on display in the autumn.
Police in Belgium said no charges would be brought.""", date="2024-07-30")
A("""The harbour's oldest pub, the Anchor and Chain, will close at the end of the month after 212 years, its owners said.
Landlady Maureen Doyle said rising energy bills and a fall in visitors since the ferry timetable changed had made the business impossible.
A group of regulars has set up a community fund to try to buy the building.""", ledger=True)
A("""Brazil's environment agency Ibama said on Friday that deforestation in the Amazon fell by 31 percent in the twelve months to July.
Environment minister Luísa Cordeiro credited new satellite monitoring and more inspectors in Pará and Mato Grosso.
Researchers at the Instituto Floresta Viva warned that fires in the dry season could undo part of the gain.""", date="2024-08-09")
A("""SEOUL — Samjin Electronics said on Tuesday it would build a 14-billion-dollar chip plant in Pyeongtaek, its largest investment in a decade.
Chief executive Park Ji-won said the plant would start production in 2027 and employ 3,000 people.
Shares in the company rose 2.8 percent in Seoul.""")
A("""Lisbon's port was quiet again on Monday, a week after the dockworkers' strike ended, but hauliers said the backlog of containers would take a month to clear.
The Portuguese Stevedores Union said its members were working extra shifts under the new agreement with Atlantica Terminals.
Fuel distributor Petrolusa said supplies to petrol stations in the Lisbon area were back to normal.""", date="2025-03-20")
A("""The harbour commission approved a budget of 6.4 million pounds on Tuesday to repair the north breakwater, which was damaged in February's storms.
Commission chair Rosalind Keane said work would begin in spring and take two summers.
Engineers from the firm Coastline Structures said the breakwater had lost nearly a fifth of its armour stone.""", ledger=True)
A("""TOKYO — Japan's population fell for the fifteenth year in a row, the internal affairs ministry said on Wednesday, with the number of Japanese nationals down by more than 800,000.
The number of foreign residents rose to a record 3.6 million. Demographer Haruki Mori of Keio University said immigration now "decides whether towns survive".""", date="2025-07-23")
A("""Volunteers collected 2.3 tonnes of rubbish from the harbour beaches on Saturday in the largest clean-up organised by the group Clear Water Coast.
Organiser Sian Pritchard said plastic bottle caps and fishing line made up most of the haul.
The council has promised two new recycling points on the promenade.""", ledger=True, date="2024-10-12")

out = sys.argv[1] if len(sys.argv) > 1 else "Examples/news"
os.makedirs(out, exist_ok=True)
for i, t in enumerate(arts):
    h = hashlib.sha256(t.encode()).hexdigest()[:16]
    with open(os.path.join(out, f"{i:03d}_{h}.txt"), "w", encoding="utf-8") as f:
        f.write(t)
print(len(arts))
