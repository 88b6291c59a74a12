//! Dialbook's phone app.
use yew::prelude::*;

#[function_component]
fn App() -> Html {
    html! { <main class="app"><h1>{ "Dialbook" }</h1></main> }
}

pub fn start() {
    yew::Renderer::<App>::new().render();
}
