-- entities: people (PERSON), organisations (ORG) and places (PLACE).
--
-- 1. Gazetteers (lists in the plugin's folder, extendable with `extra`), matched in Swift over
--    tokens, longest first: attrs {source = "gazetteer", entry = name}.
-- 2. Rules over runs of capitalised words (joined by spaces or hyphens, "of"/"the" allowed
--    inside), each span with attrs {source = "rule", rule = ...}:
--      title       "Interior Minister Vladimir Kolokoltsev", "spokeswoman Irina Volk" -> PERSON
--      given-name  "Jeffrey Feltman" (a known given name, then a capitalised word)  -> PERSON
--      org-word    "Interior Ministry", "The Moscow Times"                          -> ORG
--      place-cue   "in Domodedovo", "outside Moscow"                                -> PLACE
--      acronym     "UNCOPS"                                                         -> ORG
--      dateline    "JAKARTA —" or "SALVADOR, Feb 26 -" at the start of a line        -> PLACE
--      surname     a later "Kolokoltsev" after "Vladimir Kolokoltsev"               -> PERSON
--      linked-surname  "Kolokoltsev" in a story that never names him in full, when
--                  another document does (the scan pass; option link)          -> PERSON
-- Spans may overlap (a gazetteer and a rule may both find a name) but never repeat exactly.
local M = {}

local TITLES = {}
for w in ([[Minister Secretary-General Under-Secretary-General Undersecretary Secretary President
  Vice-President Premier Chancellor Governor Mayor Senator Ambassador Envoy Director Director-General
  Chairman Chairwoman Chair Chief Commissioner Spokesman Spokeswoman Spokesperson Leader Judge
  General Colonel Captain Admiral King Queen Prince Princess Pope Bishop Archbishop Mr Mrs Ms Dr
  Prof Professor Sir Dame Lord Lady CEO Editor Prosecutor Minister-President]]):gmatch("%S+") do
  TITLES[w] = true
  TITLES[w:lower()] = true
end
local ORG_WORDS = {}
for w in ([[Ministry Office Council Times Post News Tribune Herald Journal Gazette Bank Union Agency
  Commission Committee Mission Party Court University College Institute Association Company
  Corporation Group Fund Organization Organisation Department Service Services Police Army Navy
  Forces Parliament Assembly Congress Senate Government Ltd Inc Terminals Authority Board Bureau
  Foundation Airlines Airways Railways Network Alliance Coalition Front Movement Church
  Federation Club Society Trust Holdings Partners Stevedores Records Communications Software
  Entertainment Pictures Studios Systems Technologies Telecom Motors Energy Petroleum Industries
  International Capital Securities Insurance Investments Research Laboratories Media Publishing
  Broadcasting Rovers Wanderers Athletic Albion Hotspur Thistle Executive Directorate Independent
  Telegraph Standard Echo Express Chronicle Observer Guardian Mirror]]):gmatch("%S+") do
  ORG_WORDS[w] = true
end
local PLACE_CUES = { ["in"] = true, ["outside"] = true, ["near"] = true, ["across"] = true,
  ["occupied"] = true, ["from"] = true, ["towards"] = true, ["visited"] = true, ["to"] = false }
local NOT_NAMES = {}
for w in ([[The A An In On At Of For And But Or If As By To From With Without After Before During
  Although Though While When Where What Who Which This That These Those It Its He She They We You I
  Our Your Their His Her My Some Many Most All Any Each Every No Not Last Next Recent Already
  According Also However Meanwhile Dear Thank Thanks Please Related Read Remind Monday Tuesday
  Wednesday Thursday Friday Saturday Sunday January February March April May June July August
  September October November December Mr Mrs Ms Dr]]):gmatch("%S+") do
  NOT_NAMES[w] = true
end
-- Capitals that are not organisations: devices, units, time zones, titles, diseases.
local NOT_ACRONYMS = {}
for w in ([[PC PCs DS PSP UMD DVD DVDs CD CDs TV HDTV GMT BST PM AM FM MP MPs MEP MEPs MSP BSE
  ADSL DSL GDP GNP CEO CFO VAT AIDS HIV SARS DNA SUV UFO ID PIN SMS MMS MP3 USB LCD HD OK RPG
  FPS RAM CPU GPS IT PR QC OBE MBE CBE VIP PhD MA BA MSc]]):gmatch("%S+") do
  NOT_ACRONYMS[w] = true
end
-- Words after a name that make it part of an event's or competition's name ("Athens Olympics",
-- "Uefa Cup", "Berlin Film Festival"): then the name is no mention of its own.
local EVENT_WORDS = {}
for w in ([[Cup Olympics Olympic Games Open Championship Championships Trophy Festival Film Sevens
  Marathon Prix Awards Award Masters Classic Series Tour Rally Summit Conference Expo Show]]):gmatch("%S+") do
  EVENT_WORDS[w] = true
end
-- Nationality and language words: never a surname seen elsewhere ("Dawn French" does not make
-- every "French" a person).
local DEMONYMS = {}
for w in ([[French Irish German British English Scottish Welsh American Australian Canadian Italian
  Spanish Portuguese Dutch Belgian Swiss Austrian Swedish Norwegian Danish Finnish Icelandic Polish
  Czech Slovak Hungarian Romanian Bulgarian Greek Turkish Russian Ukrainian Serbian Croatian
  Bosnian Albanian Chinese Japanese Korean Indian Pakistani Afghan Iranian Iraqi Israeli
  Palestinian Arab Arabic Egyptian Saudi Syrian Lebanese Jordanian Kenyan Nigerian Ghanaian
  Ethiopian Somali Sudanese Libyan Moroccan Algerian Tunisian Brazilian Argentine Argentinian
  Mexican Chilean Peruvian Colombian Venezuelan Cuban Jamaican Kiwi European African Asian Latin
  Catholic Protestant Muslim Jewish Christian Hindu Sikh Buddhist Western Eastern Northern
  Southern Olympic International National Royal Open Street Awards Day High Park Stone King
  Queen Mac Silk]]):gmatch("%S+") do
  DEMONYMS[w] = true
end
local CONNECTORS = { ["of"] = true, ["the"] = true, ["for"] = true, ["de"] = true, ["von"] = true,
  ["der"] = true, ["van"] = true }

local gazetteer, given -- built once per worker

local function build(ctx)
  local lines = {}
  local function add(text, label)
    for line in (text or ""):gmatch("[^\n]+") do
      line = line:gsub("\r$", "")
      if line ~= "" and not line:find("^%s*#") then
        local name, tab = line:match("^([^\t]+)\t(.+)$")
        if name then lines[#lines + 1] = name .. "\t" .. tab
        elseif label then
          lines[#lines + 1] = line .. "\t" .. label
          -- Datelines write places in capitals: NEW YORK, LISBON.
          if label == "PLACE" and #line >= 4 and line:upper() ~= line then
            lines[#lines + 1] = line:upper() .. "\t" .. label
          end
        end
      end
    end
  end
  add(ctx.files.people, "PERSON")
  add(ctx.files.organisations, "ORG")
  add(ctx.files.places, "PLACE")
  add(ctx.files.extra, nil)
  gazetteer = folio.gazetteer(table.concat(lines, "\n"))
  given = {}
  for w in (ctx.files.given_names or ""):gsub("#[^\n]*", ""):gmatch("%S+") do given[w] = true end
end

local function capitalised(s)
  return s:find("^%u") ~= nil or s:find("^[\195][\128-\158]") ~= nil -- ASCII or Latin-1 capitals
end

local function strip_possessive(text, last)
  -- "’" is three bytes: a byte set such as ['’] would match only its last one.
  local cut = text:match("'s$") or text:match("’s$")
  if cut then return last - #cut end
  return last
end

-- Runs of capitalised words: {first, last, words = {text...}, starts = {...}, ends = {...}}.
local function runs(doc, toks)
  local text = doc.text
  local out, cur = {}, nil
  local function close()
    if cur then
      -- Connectors may not end a run.
      while #cur.words > 0 and CONNECTORS[cur.words[#cur.words]] do
        table.remove(cur.words); table.remove(cur.starts); table.remove(cur.ends)
      end
      if #cur.words > 0 then
        cur.first, cur.last = cur.starts[1], cur.ends[#cur.ends]
        out[#out + 1] = cur
      end
    end
    cur = nil
  end
  -- Whether the connectors from token i on ("of the") lead to a capitalised word.
  local function connects(i)
    local j = i
    while toks[j] and CONNECTORS[toks[j].text] do
      if not toks[j + 1] or text:sub(toks[j].last + 1, toks[j + 1].first - 1) ~= " " then return false end
      j = j + 1
    end
    return toks[j] ~= nil and toks[j].kind == "word" and capitalised(toks[j].text)
  end
  local i = 1
  while i <= #toks do
    local t = toks[i]
    local gap = cur and text:sub(cur.ends[#cur.ends] + 1, t.first - 1) or nil
    local joined = gap == " " or gap == "-" or gap == "" -- "Ki-moon": Ki, -, moon
    if t.kind == "word" and (capitalised(t.text) or (cur and gap == "" and cur.hyphen)) then
      if cur and not joined then close() end
      cur = cur or { words = {}, starts = {}, ends = {} }
      local last = strip_possessive(t.text, t.last)
      cur.words[#cur.words + 1] = t.text:sub(1, last - t.first + 1)
      cur.starts[#cur.starts + 1] = t.first
      cur.ends[#cur.ends + 1] = last
      cur.hyphen = false
      if last < t.last then close() end -- a possessive ends the run
    elseif cur and t.text == "-" and gap == "" and toks[i + 1] and toks[i + 1].first == t.last + 1
      and toks[i + 1].kind == "word" then
      -- "Ki-moon", "Jean-Pierre": the word after the hyphen joins the last one.
      i = i + 1
      local n = toks[i]
      local last = strip_possessive(n.text, n.last)
      cur.words[#cur.words] = cur.words[#cur.words] .. "-" .. n.text:sub(1, last - n.first + 1)
      cur.ends[#cur.ends] = last
      if last < n.last then close() end
    elseif cur and CONNECTORS[t.text] and gap == " " and connects(i) then
      cur.words[#cur.words + 1] = t.text
      cur.starts[#cur.starts + 1] = t.first
      cur.ends[#cur.ends + 1] = t.last
    else
      close()
    end
    i = i + 1
  end
  close()
  return out
end

-- The word before byte `first` (lowercased), skipping white space.
local function word_before(text, first)
  local before = text:sub(math.max(1, first - 40), first - 1)
  return (before:match("([%a%-]+)%s+$") or ""):lower(), before:match("[%.!?:\n\"“]%s*$") ~= nil or first <= 2
end

-- The entities of one document as {first, last, label, attrs}, in text order, and the surnames
-- of the people it names in full. `linked` holds surnames named in full in other documents.
local function detect(doc, ctx, linked)
  if not gazetteer then build(ctx) end
  local found, seen = {}, {}
  local exact = {} -- "first:last" of gazetteer spans: a rule never relabels a listed name
  local function add(first, last, label, attrs)
    local key = first .. ":" .. last .. ":" .. label
    if last < first or seen[key] then return end
    if attrs.source == "rule" and exact[first .. ":" .. last] then return end
    seen[key] = true
    if attrs.source == "gazetteer" then exact[first .. ":" .. last] = true end
    found[#found + 1] = { first, last, label, attrs }
  end
  local covered = {} -- byte -> label of gazetteer spans (to skip rules on the same name)
  local text = doc.text
  for _, m in ipairs(gazetteer:find(doc)) do
    -- "Athens Olympics", "Uefa Cup": part of an event's name.
    local next_word = text:match("^%s+(%u%a*)", m.last + 1)
    if not (next_word and EVENT_WORDS[next_word]) then
      add(m.first, m.last, m.label, { source = "gazetteer", entry = m.entry or m.text })
    end
    for b = m.first, m.last do covered[b] = m.label end
  end
  if not ctx.options.rules then return found, {} end
  local toks = doc:tokens()
  local surnames = {}
  local function person(first, last, rule, words)
    -- Not "I" or an acronym ("DVD"): a person's name has a lowercase letter; not "I'd".
    if #words == 1 and not words[1]:find("%l") then return end
    if words[1]:find("^I['’]") then return end
    add(first, last, "PERSON", { source = "rule", rule = rule })
    local surname = words[#words]
    -- A surname is a capitalised word with a lowercase letter: not "of", "DVD" or "I'd".
    if #words >= 2 and surname:find("^%u") and surname:find("%l") and not NOT_NAMES[surname]
      and not surname:find("^I['’]") and not CONNECTORS[surname] then
      surnames[surname] = true
    end
  end
  for _, r in ipairs(runs(doc, toks)) do
    local words = r.words
    local prev, sentence_start = word_before(text, r.first)
    -- Drop a sentence's capitalised function word ("The", "In"...): "The Moscow Times" is the
    -- Moscow Times.
    local k = 1
    while k <= #words and (NOT_NAMES[words[k]] or CONNECTORS[words[k]]) do
      k = k + 1
    end
    if k > #words then goto next_run end
    local first = r.starts[k]
    -- A dateline: capitals at the start of a line, then a dash or a comma and a date
    -- ("LISBON —", "SALVADOR, Feb 26 -").
    local line_start = r.first == 1 or text:sub(r.first - 1, r.first - 1) == "\n"
    local caps = text:sub(r.first, r.last):upper() == text:sub(r.first, r.last)
    if line_start and caps and #words <= 3 and not covered[r.first] then
      local after = text:sub(r.last + 1, r.last + 12)
      if after:find("^%s*[—–%-]") or after:find("^,%s*%u%l%l%.?%s+%d") then
        add(r.first, r.last, "PLACE", { source = "rule", rule = "dateline" })
        goto next_run
      end
    end
    local all_caps = #words >= 2 and caps
    if all_caps then goto next_run end -- headlines: the gazetteer handles them
    -- A title inside the run: the person is what follows the last title.
    local t = nil
    for j = #words - 1, k, -1 do
      if TITLES[words[j]] then t = j; break end
    end
    if t and words[t + 1] and capitalised(words[t + 1]) and not TITLES[words[#words]] then
      local rest = {}
      for j = t + 1, #words do rest[#rest + 1] = words[j] end
      person(r.starts[t + 1], r.last, "title", rest)
      goto next_run
    end
    -- "Marta Quintela of the Portuguese Stevedores Union": a person, then an organisation.
    if given[words[k]] then
      local c = nil
      for j = k + 2, #words do
        if CONNECTORS[words[j]] then c = j; break end
      end
      if c then
        local name = {}
        for j = k, c - 1 do name[#name + 1] = words[j] end
        person(r.starts[k], r.ends[c - 1], "given-name", name)
        local o = c
        while o <= #words and CONNECTORS[words[o]] do o = o + 1 end
        if o <= #words and ORG_WORDS[words[#words]] then
          add(r.starts[o], r.last, "ORG", { source = "rule", rule = "org-word" })
        end
        goto next_run
      end
    end
    -- A given name inside a longer run ("... Operations Jean-Pierre Lacroix"), unless the
    -- run starts with one ("Alexander Graham Bell").
    for j = given[words[k]] and #words or k + 1, #words - 1 do
      if given[words[j]] and capitalised(words[j + 1]) and not ORG_WORDS[words[#words]] then
        local rest = {}
        for x = j, #words do rest[#rest + 1] = words[x] end
        if #rest <= 4 then
          person(r.starts[j], r.last, "given-name", rest)
          goto next_run
        end
      end
    end
    local span = {}
    for j = k, #words do span[#span + 1] = words[j] end
    if TITLES[prev] and capitalised(words[k]) and not ORG_WORDS[words[#words]] then
      person(first, r.last, "title", span)
    elseif given[words[k]] and #span >= 2 and #span <= 4 and not ORG_WORDS[words[#words]] then
      person(first, r.last, "given-name", span)
    elseif ORG_WORDS[words[#words]] and #span >= 2 then
      add(first, r.last, "ORG", { source = "rule", rule = "org-word" })
    elseif PLACE_CUES[prev] and #span <= 3 and not covered[first] and not NOT_ACRONYMS[words[k]]
      and not (#span == 1 and (words[k]:find("[ie]an$") or words[k]:find("ern$") or words[k]:find("ese$") or words[k]:find("ish$"))) then
      -- (not "Western", "Russian", "Chinese": adjectives)
      add(first, r.last, "PLACE", { source = "rule", rule = "place-cue" })
    elseif #span == 1 and words[k]:find("^%u%u+$") and #words[k] <= 8 and not covered[first]
      and not NOT_ACRONYMS[words[k]] then
      add(first, r.last, "ORG", { source = "rule", rule = "acronym" })
    end
    ::next_run::
  end
  -- Surnames of people named in full, when they stand alone later.
  for _, t in ipairs(toks) do
    if t.kind == "word" then
      local last = strip_possessive(t.text, t.last)
      local word = t.text:sub(1, last - t.first + 1)
      local rule = surnames[word] and "surname" or (linked[word] and capitalised(word) and "linked-surname")
      if rule and not covered[t.first] then
        local inside = false
        for _, f in ipairs(found) do
          if f[3] == "PERSON" and t.first >= f[1] and last <= f[2] then inside = true; break end
        end
        if not inside then add(t.first, last, "PERSON", { source = "rule", rule = rule }) end
      end
    end
  end
  table.sort(found, function(a, b) return a[1] < b[1] or (a[1] == b[1] and a[2] > b[2]) end)
  -- The longest name is the mention: "Chicago" inside "Chicago Cubs", "Times" inside "Moscow
  -- Times" and "Russian Federation" inside "Permanent Mission of the Russian Federation" go.
  local kept, reach = {}, 0
  for _, f in ipairs(found) do
    local inside = false
    for j = #kept, 1, -1 do
      local k = kept[j]
      if k[2] >= f[2] and k[1] <= f[1] then inside = true break end
      if k[2] < f[1] then break end
    end
    if not inside then kept[#kept + 1] = f end
    if f[2] > reach then reach = f[2] end
  end
  return kept, surnames
end

-- The first pass (with link = true): the surnames of people named in full anywhere in the
-- corpus, so that "Kolokoltsev" alone is a person in a story that never gives his first name.
M.scan = {}

function M.scan.init()
  return { surnames = {}, words = folio.counter() }
end

function M.scan.each(state, doc, ctx)
  if not ctx.options.link or not ctx.options.rules then return end
  local _, surnames = detect(doc, ctx, {})
  for word in pairs(surnames) do state.surnames[word] = (state.surnames[word] or 0) + 1 end
  -- Every word as written, to tell surnames from common words ("Park", "Stone") at the end.
  state.words:add_tokens(doc)
end

function M.scan.merge(a, b)
  for word, n in pairs(b.surnames) do a.surnames[word] = (a.surnames[word] or 0) + n end
  a.words:merge(b.words)
  return a
end

-- A surname links across documents only when it is rarely a common word: written in lowercase
-- less than a fifth as often as capitalised, and no nationality ("French", "Irish").
function M.scan.finish(state)
  local linked = {}
  for word, n in pairs(state.surnames) do
    local lower = state.words:get(folio.text.lower(word))
    if not DEMONYMS[word] and lower * 5 < state.words:get(word) then linked[word] = n end
  end
  return { surnames = linked }
end

-- The initials of a name's capitalised words ("International Monetary Fund" -> "IMF").
local function initials(name)
  local out = {}
  for w in name:gmatch("%S+") do
    if w:find("^%u") then out[#out + 1] = w:sub(1, 1) end
  end
  return table.concat(out)
end

-- Gives the mentions of one entity a shared attrs.entity_id ("1", "2"... in order of first
-- mention in the document): people by their last name ("Irina Volk", "Volk"), organisations by
-- name or initials ("International Monetary Fund", "IMF"), places by name.
local function link_entities(found, text)
  local ids, next_id = {}, 0
  local function id_for(key)
    if not ids[key] then
      next_id = next_id + 1
      ids[key] = tostring(next_id)
    end
    return ids[key]
  end
  -- Longer names first, so that a surname or an acronym finds the full name's entity.
  local order = {}
  for i, f in ipairs(found) do order[i] = i end
  table.sort(order, function(a, b)
    local la, lb = found[a][2] - found[a][1], found[b][2] - found[b][1]
    if la ~= lb then return la > lb end
    return found[a][1] < found[b][1]
  end)
  local keys = {}
  for _, i in ipairs(order) do
    local f = found[i]
    local name = text:sub(f[1], f[2])
    local key
    if f[3] == "PERSON" then
      key = "PERSON:" .. (name:match("(%S+)$") or name)
    elseif f[3] == "ORG" then
      key = "ORG:" .. name
      if not name:find("%s") and name:find("^%u+$") then
        -- An acronym: the organisation whose initials it is, if the document names one.
        for _, j in ipairs(order) do
          local g = found[j]
          if g[3] == "ORG" and j ~= i and keys[j] and initials(text:sub(g[1], g[2])) == name then
            key = keys[j]
            break
          end
        end
      end
    else
      key = f[3] .. ":" .. name
    end
    keys[i] = key
  end
  -- Ids in order of first mention.
  for i, f in ipairs(found) do f[4].entity_id = id_for(keys[i]) end
end

function M.tag(doc, ctx)
  local linked = (ctx.options.link and ctx.scan and ctx.scan.surnames) or {}
  local found = detect(doc, ctx, linked)
  link_entities(found, doc.text)
  for _, f in ipairs(found) do doc:add(ctx.options.layer, f[1], f[2], f[3], f[4]) end
end

return M
