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

-- The rules' word lists (option cues, lists/cues.txt), the gazetteer and the given names: built
-- once per worker.
local LISTS, gazetteer, given

-- The lists of a cues file: [NAME] starts one, words are separated by white space.
local function read_cues(text)
  local lists, current = {}, nil
  for line in (text or ""):gmatch("[^\n]+") do
    local name = line:match("^%[([%w%-]+)%]%s*$")
    if name then
      current = {}
      lists[name] = current
    elseif current and not line:find("^%s*#") then
      for w in line:gmatch("%S+") do current[w] = true end
    end
  end
  for _, name in ipairs({ "titles", "org-words", "place-cues", "not-names", "not-acronyms",
    "event-words", "demonyms", "connectors" }) do
    if not lists[name] then error("the cues file has no [" .. name .. "] list", 0) end
  end
  -- Titles also match in lowercase ("spokeswoman Irina Volk").
  local lower = {}
  for w in pairs(lists.titles) do lower[#lower + 1] = w:lower() end
  for _, w in ipairs(lower) do lists.titles[w] = true end
  return lists
end

-- The rules' word lists, read once per VM (the scan's merging VM may see no document).
local function lists(ctx)
  LISTS = LISTS or read_cues(ctx.files.cues)
  return LISTS
end

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
  lists(ctx)
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
      while #cur.words > 0 and LISTS.connectors[cur.words[#cur.words]] do
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
    while toks[j] and LISTS.connectors[toks[j].text] do
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
    elseif cur and LISTS.connectors[t.text] and gap == " " and connects(i) then
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

-- What the rules of one document share: its text, the entities found so far and the surnames
-- of the people it names in full.
local function new_finds(text)
  local st = { text = text, found = {}, seen = {}, surnames = {},
    exact = {},   -- "first:last" of gazetteer spans: a rule never relabels a listed name
    covered = {} } -- byte -> label of gazetteer spans (to skip rules on the same name)
  function st.add(first, last, label, attrs)
    local key = first .. ":" .. last .. ":" .. label
    if last < first or st.seen[key] then return end
    if attrs.source == "rule" and st.exact[first .. ":" .. last] then return end
    st.seen[key] = true
    if attrs.source == "gazetteer" then st.exact[first .. ":" .. last] = true end
    st.found[#st.found + 1] = { first = first, last = last, label = label, attrs = attrs }
  end
  function st.rule(first, last, label, rule)
    st.add(first, last, label, { source = "rule", rule = rule })
  end
  function st.person(first, last, rule, words)
    -- Not "I" or an acronym ("DVD"): a person's name has a lowercase letter; not "I'd".
    if #words == 1 and not words[1]:find("%l") then return end
    if words[1]:find("^I['’]") then return end
    st.rule(first, last, "PERSON", rule)
    local surname = words[#words]
    -- A surname is a capitalised word with a lowercase letter: not "of", "DVD" or "I'd".
    if #words >= 2 and surname:find("^%u") and surname:find("%l") and not LISTS["not-names"][surname]
      and not surname:find("^I['’]") and not LISTS.connectors[surname] then
      st.surnames[surname] = true
    end
  end
  return st
end

-- The words from j to the end of run r.
local function words_from(r, j)
  local out = {}
  for x = j, #r.words do out[#out + 1] = r.words[x] end
  return out
end

-- The rules over a run of capitalised words r, whose name starts at word k (after a
-- capitalised function word). Each returns true when it decided the run.
local RULES = {}

-- "LISBON —", "SALVADOR, Feb 26 -": capitals at the start of a line, then a dash or a comma and
-- a date, are a place; other runs of capitals (headlines) are left to the gazetteer.
function RULES.dateline(st, r)
  local text = st.text
  local caps = text:sub(r.first, r.last):upper() == text:sub(r.first, r.last)
  local line_start = r.first == 1 or text:sub(r.first - 1, r.first - 1) == "\n"
  if line_start and caps and #r.words <= 3 and not st.covered[r.first] then
    local after = text:sub(r.last + 1, r.last + 12)
    if after:find("^%s*[—–%-]") or after:find("^,%s*%u%l%l%.?%s+%d") then
      st.rule(r.first, r.last, "PLACE", "dateline")
      return true
    end
  end
  return #r.words >= 2 and caps
end

-- "Interior Minister Vladimir Kolokoltsev": the person is what follows the last title.
function RULES.title(st, r, k)
  local words, t = r.words, nil
  for j = #words - 1, k, -1 do
    if LISTS.titles[words[j]] then t = j; break end
  end
  if t and words[t + 1] and capitalised(words[t + 1]) and not LISTS.titles[words[#words]] then
    st.person(r.starts[t + 1], r.last, "title", words_from(r, t + 1))
    return true
  end
end

-- "Marta Quintela of the Portuguese Stevedores Union": a person, then an organisation.
function RULES.person_of_org(st, r, k)
  local words = r.words
  if not given[words[k]] then return end
  local c = nil
  for j = k + 2, #words do
    if LISTS.connectors[words[j]] then c = j; break end
  end
  if not c then return end
  local name = {}
  for j = k, c - 1 do name[#name + 1] = words[j] end
  st.person(r.starts[k], r.ends[c - 1], "given-name", name)
  local o = c
  while o <= #words and LISTS.connectors[words[o]] do o = o + 1 end
  if o <= #words and LISTS["org-words"][words[#words]] then
    st.rule(r.starts[o], r.last, "ORG", "org-word")
  end
  return true
end

-- A given name inside a longer run ("... Operations Jean-Pierre Lacroix"), unless the run
-- starts with one ("Alexander Graham Bell").
function RULES.given_inside(st, r, k)
  local words = r.words
  for j = given[words[k]] and #words or k + 1, #words - 1 do
    if given[words[j]] and capitalised(words[j + 1]) and not LISTS["org-words"][words[#words]] then
      local rest = words_from(r, j)
      if #rest <= 4 then
        st.person(r.starts[j], r.last, "given-name", rest)
        return true
      end
    end
  end
end

-- The whole name from word k, by its cue: a title before it, a given name first, an
-- organisation word last, a place cue before it, or an acronym.
function RULES.by_cue(st, r, k, prev)
  local words, first = r.words, r.starts[k]
  local span = words_from(r, k)
  local org = LISTS["org-words"][words[#words]]
  if LISTS.titles[prev] and capitalised(words[k]) and not org then
    st.person(first, r.last, "title", span)
  elseif given[words[k]] and #span >= 2 and #span <= 4 and not org then
    st.person(first, r.last, "given-name", span)
  elseif org and #span >= 2 then
    st.rule(first, r.last, "ORG", "org-word")
  elseif LISTS["place-cues"][prev] and #span <= 3 and not st.covered[first]
    and not LISTS["not-acronyms"][words[k]]
    -- not "Western", "Russian", "Chinese": adjectives
    and not (#span == 1 and (words[k]:find("[ie]an$") or words[k]:find("ern$")
      or words[k]:find("ese$") or words[k]:find("ish$"))) then
    st.rule(first, r.last, "PLACE", "place-cue")
  elseif #span == 1 and words[k]:find("^%u%u+$") and #words[k] <= 8 and not st.covered[first]
    and not LISTS["not-acronyms"][words[k]] then
    st.rule(first, r.last, "ORG", "acronym")
  end
  return true
end

local RULE_ORDER = { RULES.dateline, RULES.title, RULES.person_of_org, RULES.given_inside,
  RULES.by_cue }

-- The gazetteer's names, but not one that is part of an event's name ("Athens Olympics").
local function listed(st, doc)
  for _, m in ipairs(gazetteer:find(doc)) do
    local next_word = st.text:match("^%s+(%u%a*)", m.last + 1)
    if not (next_word and LISTS["event-words"][next_word]) then
      st.add(m.first, m.last, m.label, { source = "gazetteer", entry = m.entry or m.text })
    end
    for b = m.first, m.last do st.covered[b] = m.label end
  end
end

-- Surnames of people named in full (here, or in other documents: `linked`), when they stand
-- alone.
local function surnames_alone(st, toks, linked)
  for _, t in ipairs(toks) do
    if t.kind == "word" then
      local last = strip_possessive(t.text, t.last)
      local word = t.text:sub(1, last - t.first + 1)
      local rule = st.surnames[word] and "surname"
        or (linked[word] and capitalised(word) and "linked-surname")
      if rule and not st.covered[t.first] then
        local inside = false
        for _, f in ipairs(st.found) do
          if f.label == "PERSON" and t.first >= f.first and last <= f.last then inside = true; break end
        end
        if not inside then st.rule(t.first, last, "PERSON", rule) end
      end
    end
  end
end

-- The longest name is the mention: "Chicago" inside "Chicago Cubs", "Times" inside "Moscow
-- Times" and "Russian Federation" inside "Permanent Mission of the Russian Federation" go.
local function longest(found)
  table.sort(found, function(a, b)
    return a.first < b.first or (a.first == b.first and a.last > b.last)
  end)
  local kept = {}
  for _, f in ipairs(found) do
    local inside = false
    for j = #kept, 1, -1 do
      local k = kept[j]
      if k.last >= f.last and k.first <= f.first then inside = true break end
      if k.last < f.first then break end
    end
    if not inside then kept[#kept + 1] = f end
  end
  return kept
end

-- The entities of one document as {first, last, label, attrs}, in text order, and the surnames
-- of the people it names in full. `linked` holds surnames named in full in other documents.
local function detect(doc, ctx, linked)
  if not gazetteer then build(ctx) end
  local st = new_finds(doc.text)
  listed(st, doc)
  if not ctx.options.rules then return st.found, {} end
  local toks = doc:tokens()
  for _, r in ipairs(runs(doc, toks)) do
    local prev = word_before(st.text, r.first)
    -- Skip a sentence's capitalised function word ("The", "In"...).
    local k = 1
    while k <= #r.words and (LISTS["not-names"][r.words[k]] or LISTS.connectors[r.words[k]]) do
      k = k + 1
    end
    if k <= #r.words then
      for _, rule in ipairs(RULE_ORDER) do
        if rule(st, r, k, prev) then break end
      end
    end
  end
  surnames_alone(st, toks, linked)
  return longest(st.found), st.surnames
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
function M.scan.finish(state, ctx)
  lists(ctx)
  local linked = {}
  for word, n in pairs(state.surnames) do
    local lower = state.words:get(folio.text.lower(word))
    if not LISTS.demonyms[word] and lower * 5 < state.words:get(word) then linked[word] = n end
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
    local la, lb = found[a].last - found[a].first, found[b].last - found[b].first
    if la ~= lb then return la > lb end
    return found[a].first < found[b].first
  end)
  local keys = {}
  for _, i in ipairs(order) do
    local f = found[i]
    local name = text:sub(f.first, f.last)
    local key
    if f.label == "PERSON" then
      key = "PERSON:" .. (name:match("(%S+)$") or name)
    elseif f.label == "ORG" then
      key = "ORG:" .. name
      if not name:find("%s") and name:find("^%u+$") then
        -- An acronym: the organisation whose initials it is, if the document names one.
        for _, j in ipairs(order) do
          local g = found[j]
          if g.label == "ORG" and j ~= i and keys[j] and initials(text:sub(g.first, g.last)) == name then
            key = keys[j]
            break
          end
        end
      end
    else
      key = f.label .. ":" .. name
    end
    keys[i] = key
  end
  -- Ids in order of first mention.
  for i, f in ipairs(found) do f.attrs.entity_id = id_for(keys[i]) end
end

function M.tag(doc, ctx)
  local linked = (ctx.options.link and ctx.scan and ctx.scan.surnames) or {}
  local found = detect(doc, ctx, linked)
  link_entities(found, doc.text)
  for _, f in ipairs(found) do doc:add(ctx.options.layer, f.first, f.last, f.label, f.attrs) end
end

return M
