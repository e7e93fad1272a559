//! Parsing a page with html5ever into scraper's tree, fed in small chunks to
//! a tree sink that counts what the parser builds: nodes, text, and the
//! depth of the tree (the tree the parser builds, not the tags written:
//! `<div/>` nests like `<div>`). Between chunks the counts go to the file's
//! budget and the depth is checked, so a hostile page stops after a few
//! kilobytes more than its limit, and the caller's cancel is asked.

use std::borrow::Cow;
use std::cell::{Cell, Ref, RefCell};
use std::collections::HashMap;

use ego_tree::NodeId;
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::tree_builder::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::{Attribute, QualName};
use scraper::{Html, HtmlTreeSink};

use super::super::budget::Budget;
use super::super::extracted::ExtractError;

/// Deeper element nesting is refused: real pages nest a few dozen levels,
/// and html5ever's scope checks grow with the depth.
pub const MAX_DEPTH: usize = 512;
/// Bytes of the page fed to the parser at a time: what it may build past
/// a limit before the limit is seen.
const CHUNK: usize = 4 << 10;
/// Memory one parsed node takes in scraper's tree (its element, the tree's
/// links, and its entry in the depth map), rounded up.
pub const NODE_COST: usize = 160;

/// Parses `text` as an HTML document within `budget`.
pub fn parse(text: &str, budget: &mut Budget) -> Result<Html, ExtractError> {
    let sink = Counting::new(HtmlTreeSink::new(Html::new_document()));
    let mut parser = html5ever::driver::parse_document(sink, Default::default());
    let mut rest = text;
    while !rest.is_empty() {
        let mut cut = rest.len().min(CHUNK);
        while !rest.is_char_boundary(cut) {
            cut += 1;
        }
        parser.process(StrTendril::from_slice(&rest[..cut]));
        rest = &rest[cut..];
        account(&parser.tokenizer.sink.sink, budget)?;
        budget.check_cancel()?;
    }
    let html = parser.finish();
    Ok(html)
}

/// Moves what the sink counted since the last call into the budget.
fn account(sink: &Counting, budget: &mut Budget) -> Result<(), ExtractError> {
    if sink.deepest.get() > MAX_DEPTH {
        return Err(ExtractError::TooDeep(MAX_DEPTH));
    }
    budget.work(sink.nodes.take().saturating_mul(NODE_COST))?;
    budget.text(sink.text.take())
}

/// scraper's sink, with counts of what it builds.
struct Counting {
    inner: HtmlTreeSink,
    /// Depth of each node attached to the tree (the document is 0).
    depth: RefCell<HashMap<NodeId, usize>>,
    deepest: Cell<usize>,
    /// Nodes created and text bytes added since the last [`account`].
    nodes: Cell<usize>,
    text: Cell<usize>,
}

impl Counting {
    fn new(inner: HtmlTreeSink) -> Counting {
        Counting {
            inner,
            depth: RefCell::default(),
            deepest: Cell::new(0),
            nodes: Cell::new(0),
            text: Cell::new(0),
        }
    }

    fn depth_of(&self, id: &NodeId) -> usize {
        self.depth.borrow().get(id).copied().unwrap_or(0)
    }

    fn set_depth(&self, id: NodeId, depth: usize) {
        self.depth.borrow_mut().insert(id, depth);
        self.deepest.set(self.deepest.get().max(depth));
    }

    fn count(&self, child: &NodeOrText<NodeId>) {
        if let NodeOrText::AppendText(t) = child {
            self.text.set(self.text.get() + t.len());
        }
    }

    fn has_parent(&self, id: &NodeId) -> bool {
        self.inner
            .0
            .borrow()
            .tree
            .get(*id)
            .is_some_and(|n| n.parent().is_some())
    }
}

impl TreeSink for Counting {
    type Handle = NodeId;
    type Output = Html;
    type ElemName<'a> = Ref<'a, QualName>;

    fn finish(self) -> Html {
        self.inner.finish()
    }

    fn parse_error(&self, msg: Cow<'static, str>) {
        self.inner.parse_error(msg);
    }

    fn get_document(&self) -> NodeId {
        self.inner.get_document()
    }

    fn elem_name<'a>(&'a self, target: &'a NodeId) -> Ref<'a, QualName> {
        self.inner.elem_name(target)
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> NodeId {
        self.nodes.set(self.nodes.get() + 1);
        let bytes: usize = attrs.iter().map(|a| a.value.len()).sum();
        self.text.set(self.text.get() + bytes);
        self.inner.create_element(name, attrs, flags)
    }

    fn create_comment(&self, text: StrTendril) -> NodeId {
        self.nodes.set(self.nodes.get() + 1);
        self.inner.create_comment(text)
    }

    fn create_pi(&self, target: StrTendril, data: StrTendril) -> NodeId {
        self.nodes.set(self.nodes.get() + 1);
        self.inner.create_pi(target, data)
    }

    fn append(&self, parent: &NodeId, child: NodeOrText<NodeId>) {
        self.count(&child);
        if let NodeOrText::AppendNode(id) = &child {
            self.set_depth(*id, self.depth_of(parent) + 1);
        }
        self.inner.append(parent, child);
    }

    fn append_based_on_parent_node(
        &self,
        element: &NodeId,
        prev_element: &NodeId,
        child: NodeOrText<NodeId>,
    ) {
        self.count(&child);
        if let NodeOrText::AppendNode(id) = &child {
            let depth = if self.has_parent(element) {
                self.depth_of(element)
            } else {
                self.depth_of(prev_element) + 1
            };
            self.set_depth(*id, depth);
        }
        self.inner
            .append_based_on_parent_node(element, prev_element, child);
    }

    fn append_doctype_to_document(
        &self,
        name: StrTendril,
        public_id: StrTendril,
        system_id: StrTendril,
    ) {
        self.nodes.set(self.nodes.get() + 1);
        self.inner
            .append_doctype_to_document(name, public_id, system_id);
    }

    fn mark_script_already_started(&self, node: &NodeId) {
        self.inner.mark_script_already_started(node);
    }

    fn pop(&self, node: &NodeId) {
        self.inner.pop(node);
    }

    fn get_template_contents(&self, target: &NodeId) -> NodeId {
        self.inner.get_template_contents(target)
    }

    fn same_node(&self, x: &NodeId, y: &NodeId) -> bool {
        self.inner.same_node(x, y)
    }

    fn set_quirks_mode(&self, mode: QuirksMode) {
        self.inner.set_quirks_mode(mode);
    }

    fn append_before_sibling(&self, sibling: &NodeId, new_node: NodeOrText<NodeId>) {
        self.count(&new_node);
        if let NodeOrText::AppendNode(id) = &new_node {
            self.set_depth(*id, self.depth_of(sibling));
        }
        self.inner.append_before_sibling(sibling, new_node);
    }

    fn add_attrs_if_missing(&self, target: &NodeId, attrs: Vec<Attribute>) {
        let bytes: usize = attrs.iter().map(|a| a.value.len()).sum();
        self.text.set(self.text.get() + bytes);
        self.inner.add_attrs_if_missing(target, attrs);
    }

    fn associate_with_form(
        &self,
        target: &NodeId,
        form: &NodeId,
        nodes: (&NodeId, Option<&NodeId>),
    ) {
        self.inner.associate_with_form(target, form, nodes);
    }

    fn remove_from_parent(&self, target: &NodeId) {
        self.inner.remove_from_parent(target);
    }

    fn reparent_children(&self, node: &NodeId, new_parent: &NodeId) {
        self.inner.reparent_children(node, new_parent);
        // The moved children now hang one level below their new parent (their
        // own descendants keep the depth they had: close enough for a guard).
        let depth = self.depth_of(new_parent) + 1;
        let children: Vec<NodeId> = self
            .inner
            .0
            .borrow()
            .tree
            .get(*new_parent)
            .map(|n| n.children().map(|c| c.id()).collect())
            .unwrap_or_default();
        for id in children {
            self.set_depth(id, depth);
        }
    }

    fn is_mathml_annotation_xml_integration_point(&self, handle: &NodeId) -> bool {
        self.inner
            .is_mathml_annotation_xml_integration_point(handle)
    }

    fn set_current_line(&self, line_number: u64) {
        self.inner.set_current_line(line_number);
    }

    fn allow_declarative_shadow_roots(&self, intended_parent: &NodeId) -> bool {
        self.inner.allow_declarative_shadow_roots(intended_parent)
    }

    fn attach_declarative_shadow(
        &self,
        location: &NodeId,
        template: &NodeId,
        attrs: &[Attribute],
    ) -> bool {
        self.inner
            .attach_declarative_shadow(location, template, attrs)
    }

    fn maybe_clone_an_option_into_selectedcontent(&self, option: &NodeId) {
        self.inner
            .maybe_clone_an_option_into_selectedcontent(option);
    }
}
