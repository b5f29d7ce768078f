local T = folio.test
local assert = T.assert

local story = "The strike at the Port of Lisbon ended on Thursday after 72 hours, when Atlantica Terminals and the union signed an agreement brokered by the labour minister. Night-shift pay rises by 7 percent this year and by a further 3 percent next year. The first container ship to dock after the strike berthed early on Friday morning, and hauliers said deliveries of fuel to petrol stations in the area would be back to normal within a week. The union's leader called the deal a fair day's pay for a night's work."
local docs = {
  { id = "a.txt", text = story },
  { id = "b.txt", text = "Rates held steady at the central bank on Thursday, as expected by most economists in a survey." },
  { id = "c.txt", text = story }, -- an exact copy
  { id = "d.txt", text = story:gsub("Thursday", "Friday") }, -- one word changed
  { id = "e.txt", text = "A different story altogether about football results and the league table this weekend." },
}

local function ids(list)
  local out = {}
  for i, d in ipairs(list) do out[i] = d.id end
  return out
end

return {
  ["drops exact and near copies, keeping the first"] = function()
    assert.equal(ids(T.run(docs)), { "a.txt", "b.txt", "e.txt" })
  end,
  ["threshold 1 drops exact copies only"] = function()
    assert.equal(ids(T.run(docs, { threshold = 1.0 })), { "a.txt", "b.txt", "d.txt", "e.txt" })
  end,
  ["drop=false marks the duplicates instead"] = function()
    local out = T.run(docs, { drop = false })
    assert.equal(#out, 5)
    assert.equal(out[3].meta.duplicate_of, "a.txt")
    assert.equal(out[3].meta.similarity, 1.0)
    assert.equal(out[4].meta.duplicate_of, "a.txt")
    assert.truthy(out[4].meta.similarity >= 0.8 and out[4].meta.similarity < 1)
    assert.equal(out[2].meta.duplicate_of, nil)
  end,
}
