-- A concordance as TSV, from a script: folio script Examples/scripts/concordance.lua CORPUS -- WORD [WIDTH]
-- `corpus` is the corpus given on the command line; `arg` holds the words after `--`.
local word = arg[1] or error("usage: folio script concordance.lua CORPUS -- WORD [WIDTH]")
local width = tonumber(arg[2]) or 30

local rows = corpus:kwic(word, { width = width, ignore_case = true })
for _, row in ipairs(rows) do
  print(table.concat({ row.doc, row.left, row.match, row.right }, "\t"))
end
io.stderr:write(("%d lines for %q in %d documents\n"):format(#rows, word, #corpus))
