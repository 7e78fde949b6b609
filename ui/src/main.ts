import { mount } from "svelte";
import App from "./App.svelte";
import "./app.css";
import { startEarly } from "./lib/startup";

startEarly();
// See app.css: the font is chosen before the first layout.
if (navigator.userAgent.includes("Linux")) document.documentElement.classList.add("linux");

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");
export default mount(App, { target });
