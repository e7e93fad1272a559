use gklint_engine::{pack, read, source::SourceFile, structure};
fn main() {
    let catalog = pack::builtin_catalog().unwrap();
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).unwrap();
        let src = SourceFile::decode(path.clone(), bytes).unwrap();
        let fmt = read::Format::from_path(&path).unwrap();
        let doc = read::read(&src.text, fmt);
        let stream = structure::stream::Stream::new(&src.text, &doc);
        let tables = structure::tables::recognise(&stream, &catalog, &Default::default());
        println!("=== {path}");
        for t in &tables {
            println!(
                "  table {} ({}) line {} missing {:?} headerless={}",
                t.id,
                t.schema,
                src.position(t.span.start).line,
                t.missing,
                t.headerless
            );
            for r in &t.rows {
                if r.group {
                    continue;
                }
                let vals: Vec<String> = r
                    .cells
                    .iter()
                    .flatten()
                    .map(|c| c.value.map_or("_".into(), |v| v.to_string()))
                    .collect();
                println!(
                    "    {:<28} {:?} {:?} {}",
                    r.id,
                    r.reading,
                    r.written_label,
                    vals.join(",")
                );
            }
        }
    }
}
