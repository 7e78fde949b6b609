import { mount } from "svelte";
import App from "./App.svelte";
import "./app.css";
import { startEarly } from "./lib/startup";

startEarly();

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");
export default mount(App, { target });
