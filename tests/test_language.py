"""Language identification: the function-word fast path must never disagree with py3langid.

The fast path (:func:`ingest.language.decide_by_stopwords`) may only ever say what py3langid
would say for the same 600-character window; when in doubt it answers None and py3langid
decides. These tests hold it to that on news-like paragraphs in every deciding language, on
close relatives it must leave to py3langid, on mixed and spliced text, and on the pipeline's
own output for the realistic corpus.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import py3langid
import pytest

from ingest.clean import clean_dump
from ingest.language import WINDOW, decide_by_stopwords, detect_language
from ingest.rules import Rules

REALISTIC = Path(__file__).resolve().parent / "realistic"

# News-like paragraphs, written for these tests, ~20 per deciding language.
DE = [
    "Die Bundesregierung hat am Montag ein neues Entlastungspaket für Familien beschlossen. Nach Angaben des Finanzministeriums sollen die Maßnahmen rund zwölf Milliarden Euro kosten und schon im kommenden Jahr in Kraft treten.",
    "Der Streik bei der Bahn hat am Dienstag den Fernverkehr in weiten Teilen des Landes lahmgelegt. Viele Pendler mussten auf das Auto umsteigen, auf den Autobahnen rund um die großen Städte bildeten sich lange Staus.",
    "Nach dem Unwetter in Süddeutschland sind die Aufräumarbeiten in vollem Gange. Die Feuerwehr war in der Nacht mehr als tausend Mal im Einsatz, verletzt wurde nach bisherigen Erkenntnissen niemand.",
    "Die Europäische Zentralbank lässt den Leitzins unverändert. Die Inflation sei zwar gesunken, liege aber noch immer über dem Ziel von zwei Prozent, sagte die Präsidentin der Notenbank in Frankfurt.",
    "Bayern München hat das Spitzenspiel gegen Borussia Dortmund mit drei zu eins gewonnen. Der Trainer lobte nach dem Abpfiff vor allem die Leistung seiner jungen Spieler in der zweiten Halbzeit.",
    "Das Landgericht hat den Angeklagten zu einer Freiheitsstrafe von sechs Jahren verurteilt. Die Richter sahen es als erwiesen an, dass er mehrere ältere Menschen um ihr Erspartes gebracht hatte.",
    "Die Zahl der Arbeitslosen ist im Oktober leicht gestiegen. Wie die Bundesagentur für Arbeit mitteilte, waren knapp drei Millionen Menschen ohne Job, das sind etwa vierzigtausend mehr als im Vorjahr.",
    "In Berlin haben am Samstag Tausende Menschen gegen steigende Mieten demonstriert. Die Veranstalter sprachen von mehr als zwanzigtausend Teilnehmern, die Polizei nannte eine deutlich niedrigere Zahl.",
    "Der Autobauer will in den kommenden drei Jahren mehrere tausend Stellen in Deutschland abbauen. Betriebsbedingte Kündigungen sollen dabei aber vermieden werden, heißt es in einer Mitteilung des Konzerns.",
    "Wissenschaftler der Universität Heidelberg haben eine neue Methode zur Früherkennung von Krebs entwickelt. Die Ergebnisse wurden in einer Fachzeitschrift veröffentlicht und sollen nun in einer größeren Studie überprüft werden.",
    "Die Opposition wirft der Regierung vor, zu spät auf die Krise reagiert zu haben. Im Bundestag kam es am Donnerstag zu einer hitzigen Debatte, bei der sich beide Seiten gegenseitig Versagen vorwarfen.",
    "Wegen der anhaltenden Trockenheit haben mehrere Landkreise die Entnahme von Wasser aus Flüssen und Seen verboten. Landwirte klagen über erhebliche Ernteausfälle und fordern schnelle Hilfe vom Staat.",
    "Der frühere Außenminister ist im Alter von 84 Jahren gestorben. Er galt als einer der wichtigsten Architekten der deutschen Einheit und wurde über Parteigrenzen hinweg geschätzt.",
    "Die Preise für Heizöl und Gas sind in den vergangenen Wochen wieder gestiegen. Verbraucherschützer raten deshalb dazu, die Verträge genau zu prüfen und gegebenenfalls den Anbieter zu wechseln.",
    "Bei einem Verkehrsunfall auf der A7 sind am frühen Morgen zwei Menschen ums Leben gekommen. Ein Lastwagen war aus bisher ungeklärter Ursache auf ein Stauende aufgefahren, die Autobahn blieb stundenlang gesperrt.",
    "Das Museum zeigt ab Freitag eine große Ausstellung mit Werken des Malers, die zum Teil noch nie öffentlich zu sehen waren. Die Kuratoren rechnen mit mehr als hunderttausend Besuchern.",
    "Die Schulen im Land sollen mehr Geld für die Digitalisierung bekommen. Die Kultusministerin kündigte an, dass bis zum Ende des Jahres jede Klasse mit schnellem Internet ausgestattet sein soll.",
    "Nach Angaben der Polizei hat ein Unbekannter in der Nacht zum Sonntag mehrere Autos in Brand gesetzt. Zeugen hatten einen Mann beobachtet, der vom Tatort flüchtete, die Ermittlungen dauern an.",
    "Die Koalition hat sich nach wochenlangem Streit auf einen Haushalt für das kommende Jahr geeinigt. Dabei soll es weder Steuererhöhungen noch neue Schulden über die Regeln der Schuldenbremse hinaus geben.",
    "Der Verein hat sich von seinem Trainer getrennt. Nach der fünften Niederlage in Folge sei ein Neuanfang unvermeidlich gewesen, erklärte der Sportdirektor am Sonntagabend vor Journalisten.",
    "Immer mehr Menschen in Deutschland kaufen ihre Lebensmittel im Internet. Laut einer Umfrage hat inzwischen fast jeder Dritte schon einmal Obst, Gemüse oder Milchprodukte online bestellt.",
    "Der Deutsche Wetterdienst warnt vor Glatteis und starkem Schneefall im Norden. Autofahrer sollten nur dann losfahren, wenn es unbedingt notwendig ist, und deutlich mehr Zeit einplanen.",
]

# French
FR = [
    "Le gouvernement a présenté mercredi un projet de loi visant à réduire le déficit public. Selon le ministre de l'Économie, les mesures devraient permettre d'économiser près de vingt milliards d'euros dès l'année prochaine.",
    "La grève des contrôleurs aériens a entraîné l'annulation de centaines de vols dans les aéroports parisiens. Les compagnies ont demandé aux voyageurs de vérifier l'état de leur vol avant de se rendre à l'aéroport.",
    "Les pompiers ont lutté toute la nuit contre un important incendie de forêt dans le sud de la France. Plus de mille personnes ont été évacuées par précaution, mais aucune victime n'est à déplorer pour le moment.",
    "Le Paris Saint-Germain s'est imposé deux buts à zéro face à Marseille dimanche soir. L'entraîneur a salué la solidité de son équipe, qui reste invaincue depuis le début de la saison.",
    "La Banque de France a revu à la baisse ses prévisions de croissance pour cette année. L'institution table désormais sur une hausse du produit intérieur brut de seulement un demi-point.",
    "Le tribunal correctionnel a condamné l'ancien maire à deux ans de prison avec sursis pour détournement de fonds publics. Son avocat a annoncé qu'il allait faire appel de cette décision.",
    "Des milliers de manifestants ont défilé samedi dans les rues de Lyon pour protester contre la réforme des retraites. Les syndicats appellent à une nouvelle journée de mobilisation la semaine prochaine.",
    "Le prix de l'électricité va augmenter de près de dix pour cent au premier février. Les associations de consommateurs dénoncent une hausse qui va peser lourdement sur le budget des ménages les plus modestes.",
    "Une étude publiée jeudi montre que la pollution de l'air reste responsable de milliers de décès prématurés chaque année. Les chercheurs appellent les pouvoirs publics à agir plus rapidement dans les grandes villes.",
    "Le président de la République s'est rendu mardi dans les territoires touchés par les inondations. Il a promis une aide exceptionnelle aux agriculteurs et aux commerçants qui ont tout perdu.",
    "L'Assemblée nationale a adopté dans la nuit le texte sur l'immigration après des débats très tendus. L'opposition a dénoncé un passage en force et annoncé qu'elle saisirait le Conseil constitutionnel.",
    "Le constructeur automobile a annoncé la suppression de deux mille emplois en Europe, dont une partie en France. Les syndicats ont immédiatement appelé à un rassemblement devant le siège de l'entreprise.",
    "Météo-France a placé douze départements en vigilance orange pour des orages violents. Des rafales de vent pouvant atteindre cent kilomètres par heure sont attendues dans la soirée.",
    "Le célèbre chanteur est mort à l'âge de quatre-vingt-un ans, a annoncé sa famille. Ses chansons ont accompagné plusieurs générations et de nombreux artistes lui ont rendu hommage sur les réseaux sociaux.",
    "La police a interpellé trois suspects après le braquage d'une bijouterie dans le centre-ville. Les malfaiteurs avaient pris la fuite à bord d'une voiture volée, retrouvée quelques heures plus tard.",
    "Le nombre de demandeurs d'emploi a légèrement reculé au troisième trimestre. Cette baisse reste toutefois fragile selon les économistes, qui redoutent un ralentissement de l'activité dans les prochains mois.",
    "Les enseignants seront en grève jeudi pour réclamer des hausses de salaire et de meilleures conditions de travail. Le ministre de l'Éducation a dit comprendre leur colère mais a rappelé les contraintes budgétaires.",
    "Un nouveau vaccin contre la grippe sera disponible dans les pharmacies dès le mois d'octobre. Les autorités sanitaires recommandent aux personnes âgées et aux plus fragiles de se faire vacciner rapidement.",
    "Le festival a attiré cette année plus de cent mille spectateurs, un record depuis sa création. Les organisateurs se félicitent d'une programmation qui a su séduire un public jeune et familial.",
    "La Commission européenne a infligé une amende de plusieurs centaines de millions d'euros au géant du numérique. Bruxelles lui reproche d'avoir abusé de sa position dominante sur le marché de la publicité en ligne.",
    "Selon un sondage publié dimanche, une majorité de Français se disent inquiets pour leur pouvoir d'achat. Le logement et l'alimentation arrivent en tête des dépenses qui pèsent le plus sur leur budget.",
    "Les secours ont retrouvé vivant un randonneur porté disparu depuis trois jours dans les Alpes. L'homme, légèrement blessé, a été transporté à l'hôpital de Grenoble par hélicoptère.",
]

# Spanish
ES = [
    "El Gobierno aprobó este martes una nueva ley de vivienda que limitará el precio de los alquileres en las zonas más tensionadas. La norma entrará en vigor el próximo mes tras su publicación en el Boletín Oficial del Estado.",
    "El Real Madrid se impuso por dos goles a uno al Barcelona en un partido muy disputado. El entrenador destacó la actitud de sus jugadores, que supieron sufrir durante los últimos minutos del encuentro.",
    "Los bomberos lograron controlar durante la madrugada el incendio forestal que obligó a desalojar a más de dos mil vecinos. Las autoridades creen que el fuego pudo ser provocado y han abierto una investigación.",
    "El Banco de España ha elevado su previsión de crecimiento para este año gracias al buen comportamiento del turismo y del consumo. Sin embargo, advierte de que la inflación seguirá por encima del objetivo.",
    "Miles de personas se manifestaron el domingo en Madrid para pedir mejoras en la sanidad pública. Los convocantes denuncian las largas listas de espera y la falta de médicos en los centros de salud.",
    "Un juzgado de Sevilla ha condenado a cinco años de prisión al exalcalde por malversación de fondos públicos. La sentencia todavía no es firme y puede ser recurrida ante el Tribunal Supremo.",
    "La Agencia Estatal de Meteorología ha activado la alerta naranja por lluvias intensas en la Comunidad Valenciana. Se esperan acumulaciones de más de cien litros por metro cuadrado en pocas horas.",
    "El paro registrado bajó en octubre en casi treinta mil personas, según los datos publicados por el Ministerio de Trabajo. Es la mayor caída para este mes desde que comenzó la serie histórica.",
    "La compañía aérea ha cancelado cientos de vuelos por la huelga de sus tripulantes de cabina. Los pasajeros afectados podrán solicitar el reembolso del billete o cambiar la fecha del viaje sin coste.",
    "Investigadores de la Universidad de Barcelona han descubierto una nueva especie de dinosaurio en el Pirineo. Los restos, que tienen más de setenta millones de años, se encontraron en perfecto estado.",
    "El presidente del Gobierno defendió en el Congreso la gestión de la crisis y pidió a la oposición que apoye los presupuestos. El líder de la oposición le acusó de mentir a los ciudadanos.",
    "La Policía Nacional ha detenido a doce personas en una operación contra el tráfico de drogas en el puerto de Algeciras. Los agentes intervinieron más de una tonelada de cocaína oculta en un contenedor.",
    "El precio de la luz volverá a subir mañana y alcanzará su nivel más alto de los últimos meses. Las asociaciones de consumidores piden al Gobierno que adopte medidas urgentes para proteger a las familias.",
    "La selección española de baloncesto se clasificó para la final tras vencer a Francia en la prórroga. El base del equipo fue el mejor del partido con veinticinco puntos y ocho asistencias.",
    "Un terremoto de magnitud seis sacudió la costa del país sin causar víctimas mortales, según las primeras informaciones. Varias viviendas sufrieron daños y algunas carreteras quedaron cortadas.",
    "El museo del Prado acogerá a partir de noviembre una gran exposición dedicada al pintor. La muestra reunirá más de cien obras procedentes de colecciones de todo el mundo.",
    "Los sindicatos de la enseñanza han convocado una huelga para el próximo jueves. Reclaman una reducción de las horas lectivas y la contratación de más profesores en los colegios públicos.",
    "La empresa ha anunciado un expediente de regulación de empleo que afectará a casi mil trabajadores. La dirección alega que las ventas han caído de forma importante en el último año.",
    "El Tribunal Constitucional ha admitido a trámite el recurso presentado por el partido contra la reforma. Los magistrados tendrán que decidir en los próximos meses si la norma respeta la Constitución.",
    "Cada vez más jóvenes tienen dificultades para acceder a una vivienda en las grandes ciudades. Según un informe reciente, la edad media de emancipación ya supera los treinta años.",
    "La ola de calor mantendrá las temperaturas por encima de los cuarenta grados en buena parte de la península hasta el fin de semana. Sanidad recomienda beber agua y evitar salir en las horas centrales del día.",
    "El cantante anunció ayer su retirada de los escenarios después de cinco décadas de carrera. Su último concierto será en diciembre en el estadio de su ciudad natal.",
]

# Italian
IT = [
    "Il governo ha approvato ieri sera il decreto sulle bollette che prevede aiuti per le famiglie in difficoltà. Secondo il ministro dell'Economia, le misure costeranno circa cinque miliardi di euro.",
    "La Juventus ha battuto l'Inter per due a uno nel derby d'Italia giocato sabato sera. L'allenatore ha elogiato la squadra per la reazione dopo lo svantaggio iniziale.",
    "I vigili del fuoco sono al lavoro da ore per spegnere l'incendio che ha colpito un deposito alla periferia di Milano. Non ci sono feriti, ma una densa nube di fumo ha avvolto i quartieri vicini.",
    "Lo sciopero dei trasporti ha paralizzato venerdì le principali città italiane. Treni cancellati e metropolitane chiuse hanno causato disagi per migliaia di pendolari in tutto il Paese.",
    "La Banca d'Italia ha rivisto al ribasso le stime di crescita per quest'anno. Il rallentamento dell'economia europea e l'aumento dei tassi pesano sulle prospettive delle imprese.",
    "Il tribunale di Napoli ha condannato a otto anni di carcere l'ex assessore accusato di corruzione. La difesa ha già annunciato che presenterà ricorso in appello.",
    "Migliaia di persone sono scese in piazza a Roma per chiedere più fondi per la sanità pubblica. I manifestanti denunciano le lunghe liste d'attesa e la carenza di medici negli ospedali.",
    "La Protezione civile ha diramato l'allerta rossa per il maltempo in Liguria e in Toscana. Sono attese piogge intense e forti raffiche di vento fino alla serata di domani.",
    "Il numero dei disoccupati è sceso a settembre, secondo i dati diffusi dall'Istat. Il tasso di disoccupazione giovanile resta però tra i più alti d'Europa.",
    "Un gruppo di ricercatori dell'Università di Padova ha sviluppato una nuova terapia contro una rara malattia genetica. I risultati sono stati pubblicati su una prestigiosa rivista scientifica.",
    "Il presidente del Consiglio ha difeso in Senato la manovra economica e ha chiesto all'opposizione di collaborare. Le forze di minoranza hanno accusato il governo di aver tagliato i fondi per la scuola.",
    "La polizia ha arrestato tre uomini accusati di aver rapinato una gioielleria nel centro di Torino. I ladri erano fuggiti a bordo di uno scooter, ma sono stati rintracciati grazie alle telecamere.",
    "Il prezzo della benzina ha superato di nuovo i due euro al litro in molte regioni. Le associazioni dei consumatori chiedono al governo di intervenire per ridurre le accise.",
    "La nazionale di pallavolo ha conquistato la medaglia d'oro dopo una finale emozionante contro la Polonia. Le azzurre hanno vinto al tie-break davanti a oltre diecimila spettatori.",
    "Una scossa di terremoto di magnitudo quattro è stata avvertita nella notte in provincia di Perugia. Non si registrano danni alle persone, ma alcune scuole resteranno chiuse per le verifiche.",
    "Il museo degli Uffizi ha registrato un nuovo record di visitatori durante l'estate. Il direttore ha annunciato l'apertura di nuove sale dedicate all'arte del Rinascimento.",
    "I sindacati della scuola hanno proclamato uno sciopero per la prossima settimana. Chiedono aumenti di stipendio e la stabilizzazione dei docenti precari.",
    "L'azienda ha annunciato la chiusura dello stabilimento in Campania, che dà lavoro a circa seicento persone. I lavoratori hanno occupato la fabbrica e chiedono un incontro urgente con il ministero.",
    "La Corte costituzionale ha dichiarato illegittima una parte della legge elettorale. Il Parlamento dovrà ora approvare una nuova norma prima delle prossime elezioni.",
    "Sempre più giovani lasciano il Sud per cercare lavoro al Nord o all'estero. Secondo un rapporto pubblicato oggi, negli ultimi dieci anni sono partiti quasi un milione di ragazzi.",
    "Il caldo africano continuerà a colpire l'Italia almeno fino alla fine della settimana, con temperature vicine ai quaranta gradi. Il ministero della Salute consiglia di non uscire nelle ore più calde.",
    "Il celebre regista è morto all'età di novant'anni nella sua casa di Roma. I suoi film hanno segnato la storia del cinema italiano e sono stati premiati nei più importanti festival.",
]

# Portuguese (European and Brazilian)
PT = [
    "O governo anunciou nesta terça-feira um novo pacote de medidas para conter a inflação. Segundo o ministro da Fazenda, as ações devem reduzir o preço dos alimentos nos próximos meses.",
    "O Benfica venceu o Porto por dois a um no clássico disputado no sábado à noite. O treinador elogiou a atitude dos jogadores, que souberam reagir depois de sofrer o primeiro golo.",
    "Os bombeiros continuam a combater o incêndio que já consumiu milhares de hectares de floresta no centro do país. Várias aldeias foram evacuadas por precaução durante a madrugada.",
    "O Banco Central decidiu manter a taxa de juros no mesmo nível pela terceira reunião consecutiva. A decisão era esperada pelo mercado, que ainda vê riscos para a inflação.",
    "Milhares de pessoas foram às ruas de São Paulo neste domingo para protestar contra a reforma da previdência. Os organizadores afirmam que a manifestação reuniu mais de cem mil participantes.",
    "O tribunal condenou o antigo autarca a seis anos de prisão por corrupção e branqueamento de capitais. A defesa já anunciou que vai recorrer da decisão para o Tribunal da Relação.",
    "O Instituto Português do Mar e da Atmosfera colocou sete distritos sob aviso laranja devido à chuva forte. Os ventos podem atingir os noventa quilómetros por hora nas terras altas.",
    "A taxa de desemprego caiu para o nível mais baixo dos últimos dez anos, de acordo com os dados divulgados pelo instituto de estatística. O setor de serviços foi o que mais contratou.",
    "A companhia aérea cancelou centenas de voos por causa da greve dos tripulantes de cabine. Os passageiros afetados podem pedir o reembolso do bilhete ou remarcar a viagem sem custos.",
    "Pesquisadores da Universidade de São Paulo descobriram uma nova espécie de sapo na Mata Atlântica. O animal tem menos de um centímetro e vive apenas em uma pequena área de serra.",
    "O presidente defendeu no Congresso a aprovação da reforma tributária e pediu apoio aos partidos da base. A oposição acusou o governo de querer aumentar os impostos sobre a classe média.",
    "A Polícia Federal prendeu dez pessoas numa operação contra o tráfico de drogas no porto de Santos. Os agentes apreenderam mais de duas toneladas de cocaína escondidas em contentores.",
    "O preço da gasolina vai subir novamente a partir de segunda-feira, informou a empresa. É o terceiro aumento em menos de dois meses, o que preocupa os motoristas e as transportadoras.",
    "A seleção brasileira de vôlei conquistou a medalha de ouro após vencer os Estados Unidos na final. A equipe não perdeu nenhum jogo durante toda a competição.",
    "Um sismo de magnitude cinco foi sentido na madrugada desta quarta-feira em várias localidades do Algarve. Não há registo de feridos, mas algumas casas antigas sofreram danos.",
    "O museu vai receber a partir de novembro uma grande exposição dedicada à obra do pintor. A mostra reúne mais de cem quadros vindos de coleções de vários países.",
    "Os professores estão em greve desde segunda-feira e exigem a recuperação do tempo de serviço. O ministro da Educação disse que está disponível para negociar, mas lembrou as limitações do orçamento.",
    "A empresa anunciou o despedimento de cerca de quinhentos trabalhadores na fábrica de Setúbal. Os sindicatos convocaram uma concentração à porta da unidade para a próxima semana.",
    "O Supremo Tribunal Federal decidiu por maioria que a lei é inconstitucional. Os ministros entenderam que o texto viola direitos garantidos pela Constituição.",
    "Cada vez mais jovens têm dificuldade em comprar casa nas grandes cidades, segundo um estudo divulgado hoje. O preço médio das habitações subiu mais de vinte por cento nos últimos dois anos.",
    "A onda de calor deve continuar até ao fim de semana, com temperaturas acima dos quarenta graus no interior. A Direção-Geral da Saúde recomenda beber muita água e evitar a exposição ao sol.",
    "O cantor morreu aos oitenta e dois anos, anunciou a família nas redes sociais. As suas canções marcaram gerações e vários artistas prestaram homenagem ao músico.",
]

# Dutch
NL = [
    "Het kabinet heeft dinsdag een nieuw pakket maatregelen gepresenteerd om de koopkracht van huishoudens te beschermen. Volgens de minister van Financiën kosten de plannen ongeveer vier miljard euro.",
    "Ajax heeft zondag met twee tegen één gewonnen van PSV in een spannende wedstrijd. De trainer was na afloop vooral tevreden over de manier waarop zijn ploeg terugkwam na de achterstand.",
    "De brandweer is de hele nacht bezig geweest met het blussen van een grote brand in een loods in Rotterdam. Omwonenden werd gevraagd ramen en deuren gesloten te houden vanwege de rook.",
    "De Nederlandsche Bank verwacht dat de economie dit jaar minder hard groeit dan eerder gedacht. De hoge rente en de zwakke wereldhandel drukken volgens de bank op de investeringen van bedrijven.",
    "Duizenden mensen hebben zaterdag in Amsterdam gedemonstreerd tegen de hoge huren. De organisatie sprak van meer dan twintigduizend deelnemers, de politie hield het op een lager aantal.",
    "De rechtbank heeft de verdachte veroordeeld tot acht jaar cel voor een reeks overvallen op tankstations. Volgens de rechters heeft hij de slachtoffers ernstige angst aangejaagd.",
    "Het KNMI heeft code oranje afgegeven voor zware windstoten in het noorden van het land. Er worden snelheden tot honderd kilometer per uur verwacht, vooral langs de kust.",
    "Het aantal werklozen is in september licht gedaald, meldt het Centraal Bureau voor de Statistiek. Vooral in de zorg en het onderwijs zijn er nog altijd veel openstaande vacatures.",
    "De luchtvaartmaatschappij heeft tientallen vluchten geschrapt vanwege een staking van het grondpersoneel. Reizigers wordt aangeraden om voor vertrek de website van Schiphol te raadplegen.",
    "Onderzoekers van de Universiteit Utrecht hebben een nieuwe methode ontwikkeld om kanker vroeg op te sporen. De resultaten zijn gepubliceerd in een wetenschappelijk tijdschrift en worden nu verder getest.",
    "De premier verdedigde in de Tweede Kamer het besluit om de steun aan gezinnen te verlagen. De oppositie verweet het kabinet dat het de rekening bij de laagste inkomens legt.",
    "De politie heeft drie mannen aangehouden na een inbraak bij een juwelier in het centrum van Den Haag. De daders waren op een scooter gevlucht, maar werden kort daarna in een woning gevonden.",
    "De prijs van benzine is deze week opnieuw gestegen en ligt nu boven de twee euro per liter. Automobilisten gaan daarom steeds vaker over de grens tanken, in België of Duitsland.",
    "Het Nederlands elftal heeft zich geplaatst voor het eindtoernooi na een overwinning op Ierland. De bondscoach sprak van een belangrijke stap, maar waarschuwde dat er nog veel werk te doen is.",
    "In het noorden van Groningen is vannacht opnieuw een aardbeving gevoeld. Bewoners melden schade aan hun huizen en eisen dat de overheid sneller overgaat tot versterking.",
    "Het Rijksmuseum opent volgende maand een grote tentoonstelling over de schilder. Er zijn meer dan honderd werken te zien die afkomstig zijn uit musea over de hele wereld.",
    "Leraren in het basisonderwijs leggen donderdag het werk neer voor een hoger salaris en een lagere werkdruk. De minister zegt begrip te hebben voor de acties, maar wijst op het beperkte budget.",
    "Het bedrijf schrapt ruim duizend banen in Nederland omdat de verkoop sterk is teruggelopen. De vakbonden noemen het besluit onbegrijpelijk en willen snel met de directie in gesprek.",
    "De Raad van State heeft geoordeeld dat het besluit van de gemeente in strijd is met de wet. De gemeente moet nu binnen zes weken een nieuw besluit nemen over de vergunning.",
    "Steeds meer jongeren kunnen geen betaalbare woning vinden in de grote steden. Volgens een nieuw rapport wonen ze daardoor gemiddeld steeds langer bij hun ouders.",
    "De hittegolf houdt volgens de weerkundigen zeker tot het weekend aan, met temperaturen boven de vijfendertig graden. Het RIVM adviseert om veel water te drinken en de zon te mijden.",
    "De zanger is op tachtigjarige leeftijd overleden, heeft zijn familie bekendgemaakt. Zijn liedjes waren decennialang populair en veel collega's hebben hem op sociale media herdacht.",
]

# English quoting other languages, name lists, Scots and Irish English, mixed halves, short texts, shouting, scores, URLs.
EDGE = [
    "The French president told reporters: « Nous ne céderons pas, la réforme est nécessaire pour l'avenir de notre pays ». The unions said they would keep striking until the government backed down.",
    "« Je ne regrette rien », the singer said in French, before switching to English to thank the crowd for coming out on such a cold night in London.",
    'The minister, speaking in Spanish, said: "No vamos a permitir que se repita lo que pasó el año pasado en la frontera", before leaving without taking questions.',
    'Der Spiegel reported that the chancellor had said "Wir schaffen das" again during the closed meeting, according to three people who were in the room.',
    "Le Monde, Le Figaro and Libération all led with the story on Tuesday morning, while Die Zeit and El País carried it on their websites.",
    "Il Corriere della Sera said the deal was \"un passo avanti importante per l'Italia e per l'Europa\", but opposition leaders in Rome were less convinced.",
    "Seamus O'Neill, Niamh Ní Bhriain, Ruaidhrí Mac Giolla Phádraig, Siobhán de Búrca and Aoife Nic Fhionnlaoich were named in the squad for the All-Ireland final.",
    "Mairead McAllister, Hamish MacLeod, Eilidh Grant, Ruaridh Mackenzie and Callum Fraser were among those honoured at Holyrood on Thursday.",
    "Jean-Pierre Dubois, Marie-Claire Lefèvre, Giovanni Rossi, María José García, João Pedro Santos and Jan de Vries signed the letter.",
    "Van der Berg, De Jong, Van Dijk, De Vries, Van den Broek, Jansen, Bakker, Visser, Smit and Meijer complete the list.",
    "Ronaldo, Messi, Neymar, Mbappé, Haaland, Lewandowski, Benzema, Modrić, Kroos and Salah all featured in the shortlist.",
    "Och, it's a braw bricht moonlicht nicht the nicht, said the auld man as he walked doon the road tae the kirk wi' his dug.",
    "The Taoiseach said the Dáil would sit on Tuesday to debate the bill, and Sinn Féin and Fianna Fáil both said they would table amendments in the Seanad.",
    "The summit ended without agreement. Les dirigeants européens se retrouveront le mois prochain à Bruxelles pour tenter de trouver un compromis sur le budget.",
    "Der Gipfel endete ohne Einigung. The leaders will meet again next month in Brussels to try to find a compromise on the budget and on migration.",
    "El acuerdo fue firmado ayer en Lisboa. O acordo foi assinado ontem em Lisboa e entra em vigor no próximo mês, disse o ministro.",
    "Le match est reporté.",
    "Der Zug fällt heute aus.",
    "Breaking news",
    "Photo: AFP / Getty Images",
    "READ MORE",
    "Het is niet bekend wanneer de weg weer open gaat.",
    "La reunión se celebrará mañana en Madrid.",
    "BREAKING: THE PRIME MINISTER HAS RESIGNED AFTER A VOTE OF NO CONFIDENCE IN THE HOUSE OF COMMONS ON TUESDAY NIGHT",
    "Prime Minister Announces New Housing Plan As Rents Rise Across The Country For The Tenth Month In A Row",
    "2-1 (45') 3-1 (78') 3-2 (90+2') FT: 3-2. Attendance: 54,321. Referee: M. Oliver.",
    "https://www.example.com/news/2025/08/15/story-about-things?utm_source=twitter&utm_medium=social",
]

# Close relatives of the deciding languages (gl, ca, af, lb, fy, ro, oc, pcm, eo, vec, la, ht, ast, wa, da, sv): never the fast path's to answer.
GUARD = [
    "O Goberno galego aprobou onte unha nova lei de vivenda que limitará o prezo dos alugueiros nas cidades. A norma entrará en vigor o próximo mes, segundo informou o conselleiro.",
    "Os bombeiros traballaron toda a noite para apagar o lume que afectou a varias parroquias do concello. Non houbo feridos, pero algunhas casas sufriron danos.",
    "El Govern ha aprovat aquest dimarts una nova llei d'habitatge que limitarà el preu dels lloguers a les zones més tensionades. La norma entrarà en vigor el mes vinent.",
    "Els bombers van treballar tota la nit per apagar l'incendi que va obligar a desallotjar més de dos mil veïns. Les autoritats creuen que el foc va ser provocat.",
    "Die regering het Dinsdag 'n nuwe pakket maatreëls aangekondig om huishoudings te help. Volgens die minister van finansies sal die planne ongeveer vier miljard rand kos.",
    "Die polisie het drie mans in hegtenis geneem nadat 'n juwelierswinkel in die middestad beroof is. Die verdagtes sal Maandag in die hof verskyn.",
    "D'Regierung huet en Dënschdeg en neie Pak u Moossname virgestallt, fir d'Kafkraaft vun de Stéit ze schützen. Dat kascht ongeféier eng Milliard Euro, sot de Finanzminister.",
    "It kabinet hat tiisdei in nij pakket maatregels presintearre om de keapkrêft fan húshâldings te beskermjen. Neffens de minister kostje de plannen sa'n fjouwer miljard euro.",
    "Guvernul a aprobat marți un nou pachet de măsuri pentru sprijinirea familiilor cu venituri mici. Potrivit ministrului de finanțe, măsurile vor costa aproximativ două miliarde de lei.",
    "Lo govèrn a presentat dimars un projècte de lei per reduire lo deficit public. Segon lo ministre, las mesuras deurián permetre d'estalviar mai de vint miliards d'èuros.",
    "Di goment don announce say dem go increase di price of fuel from next week. Many pipo wey dey use motor for work no happy with di news, dem say e go make tins cost well well.",
    "La registaro anoncis mardon novan leĝon pri loĝejoj, kiu limigos la prezon de luado en la grandaj urboj. La leĝo ekvalidos en la venonta monato.",
    "El goerno el ga aprovà ieri na lege nova par i afiti, che la limitarà i prexi in te łe çità pi grande. Ła lege ła entrarà in vigor el mexe che vien.",
    "Gallia est omnis divisa in partes tres, quarum unam incolunt Belgae, aliam Aquitani, tertiam qui ipsorum lingua Celtae, nostra Galli appellantur.",
    "Gouvènman an te anonse madi a yon nouvo plan pou ede fanmi ki pi pòv yo. Minis finans lan di plan sa a pral koute plis pase yon milya goud.",
    "El Gobiernu asturianu aprobó ayeri una llei nueva pa llendar el preciu de los alquileres nes ciudaes. La norma va entrar en vigor el mes que vien.",
    "Li gouvienmint a presinté on noû pakèt d' mezeures po aidî les manèdjes. Les mezeures costèt nén moens d' cwate miliårds d' euros.",
    "Regeringen har i dag fremlagt en ny plan for at hjælpe familier med lave indkomster. Ifølge finansministeren vil planen koste omkring fire milliarder kroner.",
    "Regeringen presenterade på tisdagen ett nytt paket med åtgärder för att skydda hushållens köpkraft. Enligt finansministern kostar förslagen omkring fyra miljarder kronor.",
]

BY_LANGUAGE = {"de": DE, "fr": FR, "es": ES, "it": IT, "pt": PT, "nl": NL}
ALL = [text for texts in BY_LANGUAGE.values() for text in texts] + EDGE + GUARD


def py3langid_says(text: str) -> str:
    lang, _ = py3langid.classify(text[:WINDOW])
    return str(lang)


def disagreements(texts: list[str]) -> list[tuple[str, str, str]]:
    """(fast answer, py3langid answer, text) wherever the fast path decided differently."""
    out = []
    for text in texts:
        fast = decide_by_stopwords(text)
        if fast is not None and fast != py3langid_says(text):
            out.append((fast, py3langid_says(text), text))
    return out


def test_fast_path_never_disagrees_with_py3langid() -> None:
    assert disagreements(ALL) == []


@pytest.mark.parametrize("lang", sorted(BY_LANGUAGE))
def test_each_language_is_mostly_decided_without_py3langid(lang: str) -> None:
    texts = BY_LANGUAGE[lang]
    assert all(py3langid_says(text) == lang for text in texts)  # the samples are what they say
    decided = [text for text in texts if decide_by_stopwords(text) == lang]
    assert len(decided) >= len(texts) // 2, (lang, len(decided))


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (DE[0], "de"),
        (FR[0], "fr"),
        (ES[0], "es"),
        (IT[0], "it"),
        (PT[7], "pt"),
        (NL[1], "nl"),
        (
            "The government said on Monday that it would not change its plans for the new "
            "tax, which has been criticised by business groups and by many of its own MPs.",
            "en",
        ),
        (
            "BREAKING: THE PRIME MINISTER HAS RESIGNED AFTER A VOTE OF NO CONFIDENCE IN THE "
            "HOUSE OF COMMONS ON TUESDAY NIGHT, SAYING IT WAS THE ONLY WAY TO END THE CRISIS",
            "en",
        ),
    ],
)
def test_clear_text_is_decided(text: str, lang: str) -> None:
    assert decide_by_stopwords(text) == lang
    assert detect_language(text) == lang == py3langid_says(text)


@pytest.mark.parametrize(
    "text",
    [
        EDGE[0],  # English framing a long French quote: py3langid says fr
        EDGE[5],  # Italian quote in English: py3langid says en
        EDGE[6],  # Irish names
        EDGE[8],  # a list of European names
        EDGE[2],  # English framing a Spanish quote: py3langid says es
        EDGE[14],  # German sentence, then English
        EDGE[15],  # Spanish sentence, then Portuguese
        *GUARD,
    ],
)
def test_ambiguous_text_falls_back(text: str) -> None:
    assert decide_by_stopwords(text) is None
    assert detect_language(text) == py3langid_says(text)


@pytest.mark.parametrize(
    "text", ["Le match est reporté.", "Der Zug fällt heute aus.", "Breaking news", "", "   "]
)
def test_too_short_text_gives_none(text: str) -> None:
    assert detect_language(text) is None


def test_short_text_over_min_words_goes_to_py3langid() -> None:
    text = "Het is niet bekend wanneer de weg weer open gaat."  # 10 words: too few to decide
    assert decide_by_stopwords(text) is None
    assert detect_language(text) == py3langid_says(text) == "nl"


@pytest.mark.parametrize("min_words", [-1, 0, 1, 3, 4, 5])
def test_min_words_counts_whitespace_separated_words(min_words: int) -> None:
    text = " Le  match\test\nreporté. "  # four words
    expected = None if len(text.split()) < min_words else py3langid_says(text)
    assert detect_language(text, min_words) == expected


def test_spliced_windows_never_disagree() -> None:
    """A story that switches language part way through its window: decided only when the
    leader leads all the way, and then as py3langid decides."""
    pools = [DE, FR, ES, IT, PT, NL, GUARD, EDGE[:6]]
    texts = []
    for i, first in enumerate(pools):
        for j, second in enumerate(pools):
            if i != j:
                for k, cut in enumerate((60, 180, 300, 420)):
                    a, b = first[(j + k) % len(first)], second[(i + k) % len(second)]
                    texts.append(a[:cut] + " " + b)
    assert disagreements(texts) == []


def test_realistic_corpus_agrees_and_mostly_skips_py3langid(rules: Rules) -> None:
    texts = []
    for case in sorted(REALISTIC.glob("*.txt")):
        result = clean_dump(case.read_bytes(), path=case.name, rules=rules)
        texts += [doc.text for doc in result.documents]
    assert len(texts) >= 100
    assert disagreements(texts) == []
    assert sum(decide_by_stopwords(text) is not None for text in texts) >= 0.8 * len(texts)


def test_py3langid_is_not_loaded_when_the_fast_path_decides() -> None:
    code = (
        "import sys; from ingest.language import detect_language; "
        f"assert detect_language({DE[0]!r}) == 'de'; "
        "assert 'py3langid' not in sys.modules, 'loaded'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
